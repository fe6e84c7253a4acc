-- 004: an index for the check the comment form runs inside its write
-- transaction under --moderation first ("has this name and email an
-- approved comment?"), so it is a seek, not a scan of every approved
-- comment, however many there are. (The rate check uses comments_by_ip,
-- the duplicate check comments_by_email.)
CREATE INDEX comments_by_commenter ON comments (email COLLATE NOCASE, author)
WHERE status = 'approved';
