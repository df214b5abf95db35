-- CreateTable
CREATE TABLE "ListingImport" (
    "id" UUID NOT NULL,
    "fileSha256" TEXT NOT NULL,
    "fileName" TEXT,
    "format" TEXT NOT NULL,
    "createdByKeyId" UUID NOT NULL,
    "principal" JSONB NOT NULL,
    "rows" JSONB NOT NULL,
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "existing" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "results" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "ListingImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ListingImport_createdByKeyId_fileSha256_idx" ON "ListingImport"("createdByKeyId", "fileSha256");

-- CreateIndex
CREATE INDEX "ListingImport_status_idx" ON "ListingImport"("status");
