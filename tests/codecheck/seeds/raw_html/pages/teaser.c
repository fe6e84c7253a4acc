/* A seeded mistake: raw HTML with no word on why it is safe. */
struct tval;
void tv_trusted_html(struct tval *obj, const char *key, const char *html);

void show_teaser(struct tval *obj, const char *html)
{
    tv_trusted_html(obj, "teaser",
                    html);
}
