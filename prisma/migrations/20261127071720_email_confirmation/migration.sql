-- CreateTable
CREATE TABLE "UsedLinkToken" (
    "nonce" TEXT NOT NULL,
    "taskId" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "usedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsedLinkToken_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "InboundReply" (
    "messageId" TEXT NOT NULL,
    "taskId" UUID,
    "outcome" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundReply_pkey" PRIMARY KEY ("messageId")
);
