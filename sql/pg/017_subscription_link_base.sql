-- 017 (PostgreSQL): where the links in a subscriber's mail point; what
-- sql/017_subscription_link_base.sql makes in SQLite (read its comments for why).
ALTER TABLE subscriptions ADD COLUMN link_base text NOT NULL DEFAULT '';
