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
    "status" TEXT NOT NULL DEFAULT 'queued',
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "ListingImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ListingImportResult" (
    "importId" UUID NOT NULL,
    "row" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "listingId" UUID,
    "message" TEXT,

    CONSTRAINT "ListingImportResult_pkey" PRIMARY KEY ("importId","row")
);

-- CreateIndex
CREATE INDEX "ListingImport_createdByKeyId_fileSha256_idx" ON "ListingImport"("createdByKeyId", "fileSha256");

-- CreateIndex
CREATE INDEX "ListingImport_status_idx" ON "ListingImport"("status");

-- AddForeignKey
ALTER TABLE "ListingImportResult" ADD CONSTRAINT "ListingImportResult_importId_fkey" FOREIGN KEY ("importId") REFERENCES "ListingImport"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
