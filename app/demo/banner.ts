export interface BannerInput {
  port: number
  platformDomain: string
  shopSlug: string
  shopName: string
  merchantEmail: string
  merchantPassword: string | null
  passwordNote: string | null
  dataDir: string
  selfCheckLine: string
  seedLine: string
  timings: string
}

/** The console banner printed once the demo is listening. */
export function banner(input: BannerInput): string {
  const origin = (host: string) => `http://${host}:${input.port}`
  const shopHost = `${input.shopSlug}.${input.platformDomain}`
  const password = input.merchantPassword ?? '(not shown)'
  const rows: Array<[string, string]> = [
    ['Platform site', origin(input.platformDomain)],
    ['Demo shop', `${origin(shopHost)}   ${input.shopName}`],
    ['Merchant dashboard', `${origin(shopHost)}/merchant`],
    ['Merchant login', `${input.merchantEmail} / ${password}`],
  ]
  if (input.passwordNote) rows.push(['', input.passwordNote])
  rows.push(
    ['Platform admin', 'none by default; stop the demo, then: npm run demo -- ace admin:create'],
    ['Data', `${input.dataDir} (kept between runs)`],
    ['Mail', `${input.dataDir}/mail (account mails as .eml files)`],
    ['Start fresh', 'npm run demo -- --reset'],
    ['Stop', 'Ctrl+C']
  )
  const width = Math.max(...rows.map(([label]) => label.length))
  const rule = '─'.repeat(72)
  return [
    rule,
    ' Lianka demo is ready (embedded PGlite, in-process jobs; not for production)',
    '',
    ...rows.map(([label, value]) => `   ${label.padEnd(width)}  ${value}`),
    '',
    ` ${input.seedLine}`,
    ` ${input.selfCheckLine}`,
    ` ${input.timings}`,
    rule,
  ].join('\n')
}
