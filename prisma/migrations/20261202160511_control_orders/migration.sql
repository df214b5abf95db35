-- CreateTable
CREATE TABLE "ControlOrder" (
    "id" UUID NOT NULL,
    "freezeId" UUID NOT NULL,
    "findingId" UUID NOT NULL,
    "searchId" UUID NOT NULL,
    "institutionCode" TEXT NOT NULL,
    "courtCode" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "amountYuan" DECIMAL(18,2),
    "until" TIMESTAMP(3),
    "reason" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "document" JSONB NOT NULL,
    "officerEmail" TEXT,
    "orderedBy" TEXT NOT NULL,
    "orderedByKeyId" UUID NOT NULL,
    "orderedAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3),
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "confirmedAt" TIMESTAMP(3),
    "confirmation" JSONB,
    "confirmKeyId" TEXT,
    "confirmedAmountYuan" DECIMAL(18,2),
    "reference" TEXT,
    "effectiveAt" TIMESTAMP(3),

    CONSTRAINT "ControlOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Freeze" (
    "id" UUID NOT NULL,
    "findingId" UUID NOT NULL,
    "searchId" UUID NOT NULL,
    "institutionCode" TEXT NOT NULL,
    "courtCode" TEXT NOT NULL,
    "caseKey" TEXT NOT NULL,
    "caseNumber" TEXT NOT NULL,
    "debtorIdNumber" TEXT NOT NULL,
    "assetKind" TEXT NOT NULL,
    "account" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ordered',
    "amountYuan" DECIMAL(18,2) NOT NULL,
    "deductedYuan" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "frozenAt" TIMESTAMP(3),
    "until" TIMESTAMP(3) NOT NULL,
    "renewals" INTEGER NOT NULL DEFAULT 0,
    "officerEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "workflowStartedAt" TIMESTAMP(3),

    CONSTRAINT "Freeze_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ControlOrder_freezeId_idx" ON "ControlOrder"("freezeId");

-- CreateIndex
CREATE INDEX "ControlOrder_institutionCode_status_idx" ON "ControlOrder"("institutionCode", "status");

-- CreateIndex
CREATE INDEX "ControlOrder_status_dueAt_idx" ON "ControlOrder"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Freeze_status_until_idx" ON "Freeze"("status", "until");

-- CreateIndex
CREATE INDEX "Freeze_caseKey_idx" ON "Freeze"("caseKey");

-- CreateIndex
CREATE INDEX "Freeze_findingId_idx" ON "Freeze"("findingId");

-- AddForeignKey
ALTER TABLE "ControlOrder" ADD CONSTRAINT "ControlOrder_freezeId_fkey" FOREIGN KEY ("freezeId") REFERENCES "Freeze"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
