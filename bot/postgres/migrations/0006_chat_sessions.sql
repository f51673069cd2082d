-- 0006_chat_sessions: conversations of the question answerer (package
-- bot/postgres). A session's turns are numbered from 1 and never
-- renumbered; those below first_n are gone (expired or beyond the bound)
-- and deleted. IF NOT EXISTS adopts the tables of databases that made
-- them before they had a migration.
CREATE TABLE IF NOT EXISTS chat_sessions (
	id      text PRIMARY KEY,
	used    timestamptz NOT NULL,
	last_n  bigint NOT NULL,
	first_n bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_sessions_used ON chat_sessions (used);
CREATE TABLE IF NOT EXISTS chat_turns (
	session  text NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
	n        bigint NOT NULL,
	question text NOT NULL,
	query    text NOT NULL,
	answer   text NOT NULL,
	at       timestamptz NOT NULL,
	PRIMARY KEY (session, n)
);
