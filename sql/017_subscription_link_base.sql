-- 017: where the links in a subscriber's mail point. With --base-url they
-- start there. Without it they start at the address the commenter posted
-- to (the request's scheme, Host and --base-path), kept here when the
-- subscription is made, since the mail is written later by the worker,
-- which has no request. '' when --base-url was set.
ALTER TABLE subscriptions ADD COLUMN link_base TEXT NOT NULL DEFAULT '';
