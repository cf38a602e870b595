process.stdout.write('ready\n')
const k = setInterval(() => {}, 1 << 30)
await new Promise<void>((r) => { process.once('SIGTERM', () => r()); process.once('SIGINT', () => r()) })
clearInterval(k)
process.stdout.write('stopping\n')
process.exitCode = 0
