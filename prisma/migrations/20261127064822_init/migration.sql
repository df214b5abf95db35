-- CreateTable
CREATE TABLE "CatalogVersion" (
    "version" INTEGER NOT NULL,
    "checksum" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "Department" (
    "code" TEXT NOT NULL,
    "nameZh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "supervisorEmail" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'zh-CN',

    CONSTRAINT "Department_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Listing" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "courtCode" TEXT NOT NULL,
    "caseNumber" TEXT NOT NULL,
    "debtorKind" TEXT NOT NULL,
    "debtorName" TEXT NOT NULL,
    "debtorIdNumber" TEXT NOT NULL,
    "legalRepName" TEXT,
    "legalRepIdNumber" TEXT,
    "circumstance" TEXT NOT NULL,
    "obligationDescription" TEXT NOT NULL,
    "obligationAmountYuan" DECIMAL(18,2),
    "periodYears" INTEGER,
    "listedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'active',
    "catalogVersion" INTEGER NOT NULL,
    "createdByKeyId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Listing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "departmentCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "measures" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'pending',
    "acknowledgeDueAt" TIMESTAMP(3) NOT NULL,
    "completeDueAt" TIMESTAMP(3) NOT NULL,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,
    "completedAt" TIMESTAMP(3),
    "completedBy" TEXT,
    "reference" TEXT,
    "note" TEXT,
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "policy" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "taskId" UUID,
    "listingId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "listingId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "taskId" UUID,
    "data" JSONB NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "departmentCode" TEXT,
    "courtCode" TEXT,
    "keyHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "CatalogVersion_checksum_key" ON "CatalogVersion"("checksum");

-- CreateIndex
CREATE UNIQUE INDEX "Listing_workflowId_key" ON "Listing"("workflowId");

-- CreateIndex
CREATE INDEX "Listing_status_createdAt_idx" ON "Listing"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Listing_courtCode_caseNumber_debtorIdNumber_key" ON "Listing"("courtCode", "caseNumber", "debtorIdNumber");

-- CreateIndex
CREATE INDEX "Task_departmentCode_status_idx" ON "Task"("departmentCode", "status");

-- CreateIndex
CREATE INDEX "Task_status_acknowledgeDueAt_idx" ON "Task"("status", "acknowledgeDueAt");

-- CreateIndex
CREATE INDEX "Task_status_completeDueAt_idx" ON "Task"("status", "completeDueAt");

-- CreateIndex
CREATE UNIQUE INDEX "Task_listingId_kind_departmentCode_key" ON "Task"("listingId", "kind", "departmentCode");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_messageId_key" ON "Notification"("messageId");

-- CreateIndex
CREATE INDEX "Notification_listingId_idx" ON "Notification"("listingId");

-- CreateIndex
CREATE INDEX "Notification_sentAt_idx" ON "Notification"("sentAt");

-- CreateIndex
CREATE UNIQUE INDEX "Event_id_key" ON "Event"("id");

-- CreateIndex
CREATE INDEX "Event_listingId_seq_idx" ON "Event"("listingId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_catalogVersion_fkey" FOREIGN KEY ("catalogVersion") REFERENCES "CatalogVersion"("version") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_departmentCode_fkey" FOREIGN KEY ("departmentCode") REFERENCES "Department"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
