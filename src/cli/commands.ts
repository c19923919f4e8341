/**
 * The commands of `eomkit`, in the order `--help` lists them. Each command is one file that exports
 * `register(program, ctx)`: its options, its help and its action (which imports heavy machinery lazily,
 * so that `eomkit derive` answers without loading tfjs, vega or the numeric layer). A new command is a
 * new file and one line here.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { register as derive } from './derive.ts';
import { register as series } from './series.ts';
import { register as validate } from './validate.ts';
import { register as demo } from './demo.ts';
import { register as stationary } from './stationary.ts';
import { register as diffusion } from './diffusion.ts';
import { register as codegen } from './codegen.ts';
import { register as latex } from './latex.ts';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [derive, series, validate, stationary, diffusion, codegen, latex, demo];
