/**
 * Pulumi entry point (`main` in Pulumi.yaml). Reads and validates the stack's config before any
 * resource is declared, then runs the program for the stack's role. The exported function's result
 * becomes the stack outputs.
 */
import { runStack } from "./program";

export = runStack;
