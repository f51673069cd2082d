-- 0013_workflow: the publishing review (package workflow/postgres):
-- submissions, the versions of their text and the reviewers' decisions.
CREATE TABLE IF NOT EXISTS submissions (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	office      text NOT NULL DEFAULT '',
	author      text NOT NULL,
	post        text NOT NULL DEFAULT '',
	facts       text NOT NULL DEFAULT '',
	kind        text NOT NULL DEFAULT '',
	class       text NOT NULL DEFAULT '',
	status      text NOT NULL CHECK (status IN ('pending', 'returned', 'approved')),
	level       integer NOT NULL CHECK (level BETWEEN 1 AND 3),
	levels      integer NOT NULL CHECK (levels BETWEEN 1 AND 3),
	version     integer NOT NULL,
	head        integer NOT NULL,
	text        text NOT NULL,
	deadline    timestamptz NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	approved_at timestamptz,
	CHECK (level <= levels)
);
CREATE INDEX IF NOT EXISTS submissions_queue ON submissions (status, deadline);
CREATE INDEX IF NOT EXISTS submissions_office_created ON submissions (office, created_at);
CREATE TABLE IF NOT EXISTS submission_versions (
	submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
	n             integer NOT NULL,
	text          text NOT NULL,
	author        text NOT NULL,
	at            timestamptz NOT NULL,
	review        jsonb,
	reason        text NOT NULL DEFAULT '',
	PRIMARY KEY (submission_id, n)
);
CREATE TABLE IF NOT EXISTS submission_decisions (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
	level         integer NOT NULL,
	reviewer      text NOT NULL,
	decision      text NOT NULL CHECK (decision IN ('approve', 'return', 'edit_approve')),
	comment       text NOT NULL DEFAULT '',
	spans         jsonb NOT NULL DEFAULT '[]',
	checks        jsonb NOT NULL,
	version       integer NOT NULL,
	at            timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS submission_decisions_submission ON submission_decisions (submission_id, id);
CREATE INDEX IF NOT EXISTS submission_decisions_returns ON submission_decisions (at) WHERE decision = 'return';
