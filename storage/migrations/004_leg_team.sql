-- qareview store, migration 4: the team within the department that handled a leg, where the
-- source says (Amazon Connect Agent.HierarchyGroups, a Genesys queue); NULL when it does not.
ALTER TABLE legs ADD COLUMN IF NOT EXISTS team VARCHAR;
