-- CreateTable
CREATE TABLE "RestrictedSubject" (
    "listingId" UUID NOT NULL,
    "idNumber" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "measures" TEXT[],
    "catalogVersion" INTEGER NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "RestrictedSubject_pkey" PRIMARY KEY ("listingId","role","idNumber")
);

-- CreateTable
CREATE TABLE "RestrictionChange" (
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "listingId" UUID NOT NULL,
    "idNumber" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "measures" TEXT[],
    "catalogVersion" INTEGER NOT NULL,
    "departmentCodes" TEXT[],
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RestrictionChange_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" UUID NOT NULL,
    "departmentCode" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "createdByKeyId" UUID NOT NULL,
    "startedAfter" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "webhookId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastStatus" INTEGER,
    "firstAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("webhookId","seq")
);

-- CreateTable
CREATE TABLE "Disclosure" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "departmentCode" TEXT,
    "keyId" UUID,
    "subjectHash" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "listingId" UUID,

    CONSTRAINT "Disclosure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RestrictedSubject_idNumber_idx" ON "RestrictedSubject"("idNumber");

-- CreateIndex
CREATE INDEX "Webhook_departmentCode_idx" ON "Webhook"("departmentCode");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_deliveryId_key" ON "WebhookDelivery"("deliveryId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_webhookId_status_idx" ON "WebhookDelivery"("webhookId", "status");

-- CreateIndex
CREATE INDEX "Disclosure_departmentCode_at_idx" ON "Disclosure"("departmentCode", "at");

-- CreateIndex
CREATE INDEX "Disclosure_at_idx" ON "Disclosure"("at");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
