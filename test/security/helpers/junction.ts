/** The CLI run in this process, as the security tests call it: `junction(args, env)`. */
export { junctionInProcess as junction } from '../../helpers/junction-in-process.js';
