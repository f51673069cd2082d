-- 0014_review_offices: offices with their review levels and reviewers;
-- who approved a submission in its current round; posts cleared at the
-- end of their retention.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS reviewed text[] NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS post_forgotten boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS submissions_created ON submissions (created_at) WHERE NOT post_forgotten;
CREATE TABLE IF NOT EXISTS review_offices (
	name      text PRIMARY KEY,
	levels    integer NOT NULL CHECK (levels BETWEEN 1 AND 3),
	members   text[] NOT NULL DEFAULT '{}',
	reviewers jsonb NOT NULL DEFAULT '[]',
	deadlines jsonb NOT NULL DEFAULT '{}'
);
