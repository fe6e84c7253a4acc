-- 002: the number of comments in each status, kept by triggers, so that the
-- moderation queue shows its counts without counting a million rows.

CREATE TABLE comment_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO comment_counts (status, n)
SELECT column1, (SELECT count(*) FROM comments WHERE status = column1)
FROM (VALUES ('pending'), ('approved'), ('spam'), ('trash'));

CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    UPDATE comment_counts SET n = n + 1 WHERE status = new.status;
END;
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE status = old.status;
END;
CREATE TRIGGER comment_counts_update AFTER UPDATE OF status ON comments
WHEN old.status <> new.status BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE status = old.status;
    UPDATE comment_counts SET n = n + 1 WHERE status = new.status;
END;
