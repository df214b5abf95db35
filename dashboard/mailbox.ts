/** What the mail pages show: the messages a local mail catcher received. */
export interface Mailbox {
  readonly messages: readonly {
    id: string;
    receivedAt: Date;
    envelopeTo: string[];
    messageId: string | null;
    subject: string;
    headers: Record<string, string>;
    text: string;
  }[];
}
