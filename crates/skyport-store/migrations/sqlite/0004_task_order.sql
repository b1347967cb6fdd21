-- Backlog listings read a page in index order instead of sorting the whole
-- backlog: each sort order has an index ending in the same tie-breakers as
-- its ORDER BY (updated is read backwards: newest first).
DROP INDEX tasks_created;
DROP INDEX tasks_updated;
CREATE INDEX tasks_created ON tasks (backlog, created_at, seq, id);
CREATE INDEX tasks_updated ON tasks (backlog, updated_at, seq, id);
CREATE INDEX tasks_title ON tasks (backlog, LOWER(title), seq, id);
-- Sprint, epic and assignee filters, and progress counts (GROUP BY sprint or
-- epic, status: read from the index alone).
CREATE INDEX tasks_sprint ON tasks (backlog, sprint, status);
CREATE INDEX tasks_epic ON tasks (backlog, epic, status);
CREATE INDEX tasks_assignee ON tasks (backlog, assignee);
