/** The weekly notice to the coordinating office while the holiday calendar is about to run out (X-Notice-Type: horizon). */
export function composeHorizonNotice({ horizon, daysLeft, mailFrom, to, week }: { horizon: string | null; daysLeft: number | null; mailFrom: string; to: string; week: string }) {
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost';
  const end = horizon ?? '—';
  const days = daysLeft === null ? '—' : String(daysLeft);
  const paragraphs = [
    `节假日日历只覆盖到 ${end}（还剩 ${days} 天）。请尽快导入国务院办公厅下一年度部分节假日安排的通知（管理员：POST /api/calendar 或 sanctions calendar import）。`,
    '在此之前，超出日历范围的期限暂按“仅周末休息”计算并标注为待定，导入后自动重新计算。',
    `The holiday calendar ends on ${end} (${days} days left). Import the State Council's notice for the next year (admin: POST /api/calendar, or sanctions calendar import). Until then, deadlines past it are counted on weekends alone, marked provisional, and counted again once the year is imported.`,
  ];
  return {
    from: mailFrom,
    to,
    subject: `【联合惩戒】节假日日历将于 ${end} 到期 / The holiday calendar ends on ${end}`,
    messageId: `<calendar-horizon.${week}@${domain}>`,
    text: paragraphs.join('\n\n') + '\n',
    headers: { 'X-Notice-Type': 'horizon', 'Auto-Submitted': 'auto-generated' },
  };
}
