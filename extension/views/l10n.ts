// vscode.l10n.t as the views' Translate function (the pure models take it as a parameter).
import * as vscode from "vscode";
import type { Translate } from "./format.js";

export const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
