import type { Linter } from 'eslint';
export declare const PURE_DIRS: string[];
export declare const purityRules: Linter.RulesRecord;
export declare const pureFiles: string[];
