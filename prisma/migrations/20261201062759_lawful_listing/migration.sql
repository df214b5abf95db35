-- DropIndex
DROP INDEX "Listing_courtCode_caseNumber_debtorIdNumber_key";

-- AlterTable
ALTER TABLE "Listing" ADD COLUMN     "boundPersons" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "debtorIdCountry" TEXT,
ADD COLUMN     "debtorIdType" TEXT NOT NULL DEFAULT 'resident-id',
ADD COLUMN     "decidedAt" TIMESTAMP(3),
ADD COLUMN     "deletionGround" TEXT,
ADD COLUMN     "enforcementBasisIssuer" TEXT,
ADD COLUMN     "enforcementBasisNumber" TEXT,
ADD COLUMN     "filedAt" TIMESTAMP(3),
ADD COLUMN     "liftDecidedAt" TIMESTAMP(3),
ADD COLUMN     "publicRole" JSONB,
ADD COLUMN     "securityProvided" BOOLEAN,
ADD COLUMN     "seizedAssetsSufficient" BOOLEAN;

-- CreateIndex
CREATE INDEX "Listing_courtCode_caseNumber_debtorIdNumber_idx" ON "Listing"("courtCode", "caseNumber", "debtorIdNumber");

-- Existing rows, in the new terms: an entity's identifier is a unified social credit code, its legal
-- representative is its first bound person, and case numbers are compared in one written form
-- (full-width brackets, no spaces: domain/case-numbers.ts).
UPDATE "Listing" SET "debtorIdType" = 'uscc' WHERE "debtorKind" = 'entity';
UPDATE "Listing" SET "boundPersons" = jsonb_build_array(jsonb_build_object('role', 'legal-representative', 'name', "legalRepName", 'idNumber', "legalRepIdNumber"))
  WHERE "legalRepIdNumber" IS NOT NULL;
UPDATE "Listing" SET "caseNumber" = translate(regexp_replace("caseNumber", '[[:space:]　]+', '', 'g'), '()', '（）');
