-- DropIndex
DROP INDEX "Task_listingId_kind_departmentCode_key";

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "round" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "Correction" (
    "id" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "changes" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "objectionId" UUID,
    "recordedAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),

    CONSTRAINT "Correction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Objection" (
    "id" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "courtCode" TEXT NOT NULL,
    "ground" TEXT NOT NULL,
    "statement" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'under-review',
    "outcome" TEXT,
    "decisionReason" TEXT,
    "decidedAt" TIMESTAMP(3),
    "reconsiderationStatement" TEXT,
    "reconsiderationReceivedAt" TIMESTAMP(3),
    "reconsiderationOutcome" TEXT,
    "reconsiderationReason" TEXT,
    "reconsiderationDecidedAt" TIMESTAMP(3),
    "remediedAt" TIMESTAMP(3),
    "remedy" TEXT,
    "duty" TEXT,
    "dueAt" TIMESTAMP(3),
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "workflowStartedAt" TIMESTAMP(3),

    CONSTRAINT "Objection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Correction_listingId_idx" ON "Correction"("listingId");

-- CreateIndex
CREATE INDEX "Correction_acceptedAt_idx" ON "Correction"("acceptedAt");

-- CreateIndex
CREATE INDEX "Objection_listingId_idx" ON "Objection"("listingId");

-- CreateIndex
CREATE INDEX "Objection_dueAt_idx" ON "Objection"("dueAt");

-- CreateIndex
CREATE INDEX "Objection_workflowStartedAt_idx" ON "Objection"("workflowStartedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Task_listingId_kind_round_departmentCode_key" ON "Task"("listingId", "kind", "round", "departmentCode");

-- AddForeignKey
ALTER TABLE "Correction" ADD CONSTRAINT "Correction_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Objection" ADD CONSTRAINT "Objection_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
