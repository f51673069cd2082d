-- 0012_training: trainees' attempts (drills and quiz questions) and their
-- Leitner cards (package training/postgres).
CREATE TABLE IF NOT EXISTS training_attempts (
	id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	trainee  text NOT NULL,
	kind     text NOT NULL CHECK (kind IN ('drill', 'quiz')),
	item     text NOT NULL,
	score    integer NOT NULL CHECK (score BETWEEN 0 AND 100),
	correct  boolean NOT NULL,
	topics   text[] NOT NULL DEFAULT '{}',
	mistakes text[] NOT NULL DEFAULT '{}',
	at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS training_attempts_trainee_at ON training_attempts (trainee, at);
CREATE TABLE IF NOT EXISTS training_cards (
	trainee text NOT NULL,
	kind    text NOT NULL,
	item    text NOT NULL,
	box     integer NOT NULL,
	due     timestamptz NOT NULL,
	PRIMARY KEY (trainee, kind, item)
);
CREATE INDEX IF NOT EXISTS training_cards_due ON training_cards (trainee, due);
