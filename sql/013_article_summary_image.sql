-- 013: what an article tells other sites: its summary (the description; ''
-- means the body's first paragraph) and an image with its alt text ('' for
-- none), shown at the top of the article and in share previews.
ALTER TABLE articles ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN image TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN image_alt TEXT NOT NULL DEFAULT '';
