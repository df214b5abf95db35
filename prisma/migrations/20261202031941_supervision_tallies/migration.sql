-- DropIndex
DROP INDEX "Task_openDeadlineAt_idx";

-- CreateTable
CREATE TABLE "TaskTally" (
    "id" BIGSERIAL NOT NULL,
    "departmentCode" TEXT NOT NULL,
    "tasks" BIGINT NOT NULL,
    "open" BIGINT NOT NULL,
    "acknowledged" BIGINT NOT NULL,
    "acknowledgedOnTime" BIGINT NOT NULL,
    "completed" BIGINT NOT NULL,

    CONSTRAINT "TaskTally_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskAcknowledgeTime" (
    "id" BIGSERIAL NOT NULL,
    "departmentCode" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "tasks" BIGINT NOT NULL,

    CONSTRAINT "TaskAcknowledgeTime_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Task_openDeadlineAt_departmentCode_idx" ON "Task"("openDeadlineAt", "departmentCode");

-- The supervisors' per-department figures, kept by the writes instead of
-- aggregated from every task on each read. Each statement on "Task" appends
-- one row per department it changed (and one per department and
-- acknowledgment-time bucket): appends never wait on each other, where an
-- UPDATE of one counter row per department would serialise every dispatch of
-- the same departments until commit. Readers sum the rows;
-- task_tallies_fold() collapses them to one per key.

-- Seconds to acknowledge, as a histogram bucket: the second (rounded) below
-- 100 s, above it buckets 1% wide (100 + floor(log base 1.01 of s / 100)).
CREATE FUNCTION task_acknowledge_bucket(seconds double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN seconds < 99.5 THEN round(seconds)::integer ELSE 100 + floor(ln(seconds / 100) / ln(1.01))::integer END
$$;

-- A bucket's value: its second, or the geometric middle of a 1% bucket (within 0.5% of any value in it).
CREATE FUNCTION task_acknowledge_seconds(bucket integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN bucket < 100 THEN bucket::double precision ELSE 100 * power(1.01::double precision, bucket - 100 + 0.5) END
$$;

-- After each INSERT, UPDATE or DELETE statement: the rows it added count +1,
-- the rows it removed -1 (an UPDATE both), summed per department.
CREATE FUNCTION task_tallies_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changes text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
    ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows'
  END;
BEGIN
  EXECUTE format($sql$
    INSERT INTO "TaskTally" ("departmentCode", tasks, open, acknowledged, "acknowledgedOnTime", completed)
    SELECT * FROM (
      SELECT "departmentCode",
             sum(sign) AS tasks,
             sum(CASE WHEN "openDeadlineAt" IS NOT NULL THEN sign ELSE 0 END) AS open,
             sum(CASE WHEN "acknowledgedAt" IS NOT NULL THEN sign ELSE 0 END) AS acknowledged,
             sum(CASE WHEN "acknowledgedAt" <= "acknowledgeDueAt" THEN sign ELSE 0 END) AS "acknowledgedOnTime",
             sum(CASE WHEN "completedAt" IS NOT NULL THEN sign ELSE 0 END) AS completed
      FROM (%s) changed
      GROUP BY "departmentCode"
    ) delta
    WHERE (tasks, open, acknowledged, "acknowledgedOnTime", completed) <> (0, 0, 0, 0, 0)
    ORDER BY "departmentCode"$sql$, changes);
  EXECUTE format($sql$
    INSERT INTO "TaskAcknowledgeTime" ("departmentCode", bucket, tasks)
    SELECT "departmentCode", task_acknowledge_bucket(EXTRACT(EPOCH FROM "acknowledgedAt" - "createdAt")::double precision), sum(sign)
    FROM (%s) changed
    WHERE "acknowledgedAt" IS NOT NULL
    GROUP BY 1, 2
    HAVING sum(sign) <> 0
    ORDER BY 1, 2$sql$, changes);
  RETURN NULL;
END
$$;

CREATE TRIGGER task_tallies_insert AFTER INSERT ON "Task" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_record();
CREATE TRIGGER task_tallies_update AFTER UPDATE ON "Task" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_record();
CREATE TRIGGER task_tallies_delete AFTER DELETE ON "Task" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_record();

-- TRUNCATE has no transition tables: it empties the tallies with the tasks.
CREATE FUNCTION task_tallies_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "TaskTally";
  DELETE FROM "TaskAcknowledgeTime";
  RETURN NULL;
END
$$;

CREATE TRIGGER task_tallies_truncate AFTER TRUNCATE ON "Task"
  FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_truncate();

-- Collapses the appended rows to one per department (and bucket). Only one
-- fold runs at a time (the others return at once); writers are never blocked,
-- because it deletes only committed rows and writers only append.
CREATE FUNCTION task_tallies_fold() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('task_tallies_fold')) THEN
    RETURN;
  END IF;
  WITH removed AS (DELETE FROM "TaskTally" RETURNING *)
  INSERT INTO "TaskTally" ("departmentCode", tasks, open, acknowledged, "acknowledgedOnTime", completed)
  SELECT * FROM (
    SELECT "departmentCode", sum(tasks) AS tasks, sum(open) AS open, sum(acknowledged) AS acknowledged,
           sum("acknowledgedOnTime") AS "acknowledgedOnTime", sum(completed) AS completed
    FROM removed GROUP BY "departmentCode"
  ) folded
  WHERE (tasks, open, acknowledged, "acknowledgedOnTime", completed) <> (0, 0, 0, 0, 0)
  ORDER BY "departmentCode";
  WITH removed AS (DELETE FROM "TaskAcknowledgeTime" RETURNING *)
  INSERT INTO "TaskAcknowledgeTime" ("departmentCode", bucket, tasks)
  SELECT "departmentCode", bucket, sum(tasks) FROM removed GROUP BY 1, 2 HAVING sum(tasks) <> 0 ORDER BY 1, 2;
END
$$;

-- The tasks already there: counted once, folded.
INSERT INTO "TaskTally" ("departmentCode", tasks, open, acknowledged, "acknowledgedOnTime", completed)
SELECT "departmentCode", count(*), count(*) FILTER (WHERE "openDeadlineAt" IS NOT NULL), count("acknowledgedAt"),
       count(*) FILTER (WHERE "acknowledgedAt" <= "acknowledgeDueAt"), count("completedAt")
FROM "Task" GROUP BY "departmentCode" ORDER BY "departmentCode";

INSERT INTO "TaskAcknowledgeTime" ("departmentCode", bucket, tasks)
SELECT "departmentCode", task_acknowledge_bucket(EXTRACT(EPOCH FROM "acknowledgedAt" - "createdAt")::double precision), count(*)
FROM "Task" WHERE "acknowledgedAt" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2;
