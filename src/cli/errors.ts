/** A command-line mistake (bad flag value, missing point): an input error, exit code 2, one line on stderr. */
export { InputError as UsageError } from '../errors.ts';
