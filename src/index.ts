import { run } from './main.js'

// eslint-disable-next-line @typescript-eslint/no-floating-promises
run()
