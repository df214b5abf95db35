-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiresAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ListingImport" ADD COLUMN     "stoppedReason" TEXT;

-- CreateTable
CREATE TABLE "ReplyAnswer" (
    "id" BIGSERIAL NOT NULL,
    "address" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReplyAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReplyAnswer_address_sentAt_idx" ON "ReplyAnswer"("address", "sentAt");
