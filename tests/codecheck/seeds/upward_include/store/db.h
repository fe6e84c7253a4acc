/* The store's private header. */
int db_nothing(void);
