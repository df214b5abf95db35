-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "correctionId" UUID,
ADD COLUMN     "declineReason" TEXT,
ADD COLUMN     "declinedAt" TIMESTAMP(3),
ADD COLUMN     "declinedBy" TEXT,
ADD COLUMN     "feedback" JSONB,
ADD COLUMN     "reassignedFromId" UUID,
ADD COLUMN     "sentBackCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "suggestedDepartmentCode" TEXT,
ADD COLUMN     "verifiedAt" TIMESTAMP(3),
ADD COLUMN     "verifiedBy" TEXT;

-- CreateTable
CREATE TABLE "TaskExtension" (
    "id" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "departmentCode" TEXT NOT NULL,
    "deadline" TEXT NOT NULL,
    "previousDueAt" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'requested',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionReason" TEXT,

    CONSTRAINT "TaskExtension_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogSuggestion" (
    "id" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "catalogVersion" INTEGER NOT NULL,
    "measures" TEXT[],
    "fromDepartmentCode" TEXT NOT NULL,
    "toDepartmentCode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "suggestedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'open',
    "acceptedVersion" INTEGER,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "CatalogSuggestion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TaskExtension_status_idx" ON "TaskExtension"("status");

-- CreateIndex
CREATE INDEX "TaskExtension_taskId_idx" ON "TaskExtension"("taskId");

-- CreateIndex
CREATE INDEX "CatalogSuggestion_status_idx" ON "CatalogSuggestion"("status");

-- CreateIndex
CREATE INDEX "Task_status_idx" ON "Task"("status");

-- CreateIndex
CREATE INDEX "Task_createdAt_idx" ON "Task"("createdAt");

-- A correction task names its correction, so a reassigned one still does.
UPDATE "Task" SET "correctionId" = round::uuid WHERE kind = 'correct' AND round <> '';
