-- DropIndex
DROP INDEX "Task_status_acknowledgeDueAt_idx";

-- DropIndex
DROP INDEX "Task_status_completeDueAt_idx";

-- AlterTable
ALTER TABLE "Listing" ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "liftReason" TEXT,
ADD COLUMN     "liftRequestedAt" TIMESTAMP(3),
ADD COLUMN     "performedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "openDeadlineAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Task_openDeadlineAt_idx" ON "Task"("openDeadlineAt");
