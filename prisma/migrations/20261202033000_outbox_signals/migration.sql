-- CreateTable
CREATE TABLE "OutboxSignal" (
    "id" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "signal" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxSignal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboxSignal_createdAt_idx" ON "OutboxSignal"("createdAt");
