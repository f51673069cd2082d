-- 0014_review_offices: offices with their review levels and reviewers;
-- who approved a submission in its current round; posts cleared at the
-- end of their retention; submissions withdrawn by their authors.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS reviewed text[] NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS post_forgotten boolean NOT NULL DEFAULT false;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS withdrawn_at timestamptz;
ALTER TABLE submissions DROP CONSTRAINT IF EXISTS submissions_status_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_status_check
	CHECK (status IN ('pending', 'returned', 'approved', 'withdrawn'));
CREATE INDEX IF NOT EXISTS submissions_created ON submissions (created_at) WHERE NOT post_forgotten;
CREATE TABLE IF NOT EXISTS review_offices (
	name      text PRIMARY KEY,
	levels    integer NOT NULL CHECK (levels BETWEEN 1 AND 3),
	members   text[] NOT NULL DEFAULT '{}',
	reviewers jsonb NOT NULL DEFAULT '[]',
	deadlines jsonb NOT NULL DEFAULT '{}'
);
