-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "deadlineBasis" TEXT NOT NULL DEFAULT 'certain',
ADD COLUMN     "scheduledFrom" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "CalendarVersion" (
    "version" INTEGER NOT NULL,
    "checksum" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarVersion_pkey" PRIMARY KEY ("version")
);

-- CreateIndex
CREATE UNIQUE INDEX "CalendarVersion_checksum_key" ON "CalendarVersion"("checksum");
