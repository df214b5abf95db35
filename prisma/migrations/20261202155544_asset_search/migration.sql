-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "institutionCode" TEXT;

-- CreateTable
CREATE TABLE "InstitutionDirectoryVersion" (
    "version" INTEGER NOT NULL,
    "checksum" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstitutionDirectoryVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "Institution" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "capabilities" TEXT[],
    "contactEmail" TEXT NOT NULL,
    "supervisorEmail" TEXT NOT NULL,
    "directoryVersion" INTEGER NOT NULL,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "Institution_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "InstitutionKey" (
    "institutionCode" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "InstitutionKey_pkey" PRIMARY KEY ("institutionCode","keyId")
);

-- CreateTable
CREATE TABLE "InstitutionWebhook" (
    "id" UUID NOT NULL,
    "institutionCode" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "createdByKeyId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "InstitutionWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetSearch" (
    "id" UUID NOT NULL,
    "courtCode" TEXT NOT NULL,
    "caseNumber" TEXT NOT NULL,
    "caseKey" TEXT NOT NULL,
    "debtor" JSONB NOT NULL,
    "directoryVersion" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "requestCount" INTEGER NOT NULL,
    "batchSize" INTEGER NOT NULL,
    "answerDueAt" TIMESTAMP(3) NOT NULL,
    "policy" JSONB NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedByKeyId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "workflowStartedAt" TIMESTAMP(3),

    CONSTRAINT "AssetSearch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetSearchBatch" (
    "searchId" UUID NOT NULL,
    "batch" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,

    CONSTRAINT "AssetSearchBatch_pkey" PRIMARY KEY ("searchId","batch")
);

-- CreateTable
CREATE TABLE "AssetRequest" (
    "id" UUID NOT NULL,
    "searchId" UUID NOT NULL,
    "institutionCode" TEXT NOT NULL,
    "batch" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "document" JSONB NOT NULL,
    "deliveredAt" TIMESTAMP(3),
    "deliveredVia" TEXT,
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "answeredAt" TIMESTAMP(3),
    "answer" JSONB,
    "answerKeyId" TEXT,
    "answeredVia" TEXT,
    "answeredBy" TEXT,

    CONSTRAINT "AssetRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetFinding" (
    "id" UUID NOT NULL,
    "requestId" UUID NOT NULL,
    "searchId" UUID NOT NULL,
    "institutionCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "account" TEXT,
    "currency" TEXT,
    "amountYuan" DECIMAL(18,2),
    "description" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AssetFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetNotice" (
    "id" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "searchId" UUID,
    "requestId" UUID,
    "type" TEXT NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AssetNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetEvent" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "searchId" UUID,
    "requestId" UUID,
    "institutionCode" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "AssetEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "InstitutionDirectoryVersion_checksum_key" ON "InstitutionDirectoryVersion"("checksum");

-- CreateIndex
CREATE INDEX "InstitutionWebhook_institutionCode_idx" ON "InstitutionWebhook"("institutionCode");

-- CreateIndex
CREATE INDEX "AssetSearch_caseKey_courtCode_idx" ON "AssetSearch"("caseKey", "courtCode");

-- CreateIndex
CREATE INDEX "AssetSearch_status_workflowStartedAt_idx" ON "AssetSearch"("status", "workflowStartedAt");

-- CreateIndex
CREATE INDEX "AssetRequest_institutionCode_status_idx" ON "AssetRequest"("institutionCode", "status");

-- CreateIndex
CREATE INDEX "AssetRequest_searchId_batch_idx" ON "AssetRequest"("searchId", "batch");

-- CreateIndex
CREATE INDEX "AssetRequest_status_dueAt_idx" ON "AssetRequest"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "AssetRequest_searchId_institutionCode_key" ON "AssetRequest"("searchId", "institutionCode");

-- CreateIndex
CREATE INDEX "AssetFinding_searchId_idx" ON "AssetFinding"("searchId");

-- CreateIndex
CREATE UNIQUE INDEX "AssetNotice_messageId_key" ON "AssetNotice"("messageId");

-- CreateIndex
CREATE INDEX "AssetNotice_searchId_idx" ON "AssetNotice"("searchId");

-- CreateIndex
CREATE UNIQUE INDEX "AssetEvent_id_key" ON "AssetEvent"("id");

-- CreateIndex
CREATE INDEX "AssetEvent_searchId_seq_idx" ON "AssetEvent"("searchId", "seq");

-- CreateIndex
CREATE INDEX "AssetEvent_institutionCode_type_idx" ON "AssetEvent"("institutionCode", "type");

-- AddForeignKey
ALTER TABLE "InstitutionKey" ADD CONSTRAINT "InstitutionKey_institutionCode_fkey" FOREIGN KEY ("institutionCode") REFERENCES "Institution"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssetRequest" ADD CONSTRAINT "AssetRequest_searchId_fkey" FOREIGN KEY ("searchId") REFERENCES "AssetSearch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssetFinding" ADD CONSTRAINT "AssetFinding_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "AssetRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
