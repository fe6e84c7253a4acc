-- 014: notifications. Every event that leaves the process (a webhook POST,
-- a mail) is first a row of the outbox, written in the same transaction as
-- the change that caused it, and delivered after the commit by a worker in
-- each server process (src/notify/). A row is one delivery: the same event
-- for the webhook and for a mail is two rows, each with its own id.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,          -- random, 32 hex digits: the receiver's dedup key
    event TEXT NOT NULL,                    -- comment.held, comment.approved, comment.reply,
                                            -- subscription.confirm
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'mail')),
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    -- mail: the comment whose subscriber is mailed (a reply's parent), or
    -- NULL for the editors' mail (--notify-email)
    subscriber_of INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- a lease: the process that delivers the row now, and until when; another
    -- process may take the row once the lease has run out (its holder died)
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_until INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'delivered', 'failed')),
    done_at INTEGER,
    last_error TEXT NOT NULL DEFAULT ''
);
-- What the worker looks for: rows still to deliver, by when they are due.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'waiting';

-- A commenter's wish to be mailed about their comment: on its approval and
-- on approved replies to it. Nothing is mailed (but the confirmation) until
-- the link in that mail was followed (double opt-in).
CREATE TABLE subscriptions (
    comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,                   -- NULL until confirmed
    ended_at INTEGER                        -- unsubscribed
);
CREATE INDEX outbox_by_comment ON outbox(comment_id);
CREATE INDEX outbox_by_subscriber ON outbox(subscriber_of) WHERE subscriber_of IS NOT NULL;
