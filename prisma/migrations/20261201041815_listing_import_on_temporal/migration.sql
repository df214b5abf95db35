-- AlterTable
ALTER TABLE "ListingImport" DROP COLUMN "leaseUntil";
