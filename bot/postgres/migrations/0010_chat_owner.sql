-- 0010_chat_owner: a conversation belongs to the user who started it
-- ('' for sessions made without accounts, as before). The index serves
-- the per-owner bound: an owner's sessions by last use.
ALTER TABLE chat_sessions ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS chat_sessions_owner_used ON chat_sessions (owner, used);
CREATE INDEX IF NOT EXISTS chat_turns_at ON chat_turns (at);
