"use client";

import { useEffect, useState } from "react";

import { cn } from "@/lib/utils";

type Check = (password: string, userInputs: string[]) => { score: 0 | 1 | 2 | 3 | 4; feedback: { warning: string | null } };

let loading: Promise<Check> | null = null;

/** zxcvbn and its dictionaries (~1 MB) load on the first keystroke, never with the page. */
function loadCheck(): Promise<Check> {
  loading ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(([core, common, en]) => {
    const factory = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return (password, userInputs) => factory.check(password, userInputs);
  });
  return loading;
}

export const STRENGTH_LABELS = ["Very weak", "Weak", "Fair", "Good", "Strong"] as const;
const BAR = ["bg-destructive", "bg-destructive", "bg-warning", "bg-success", "bg-success"];

/** How guessable a new password is (zxcvbn's 0–4 score) with its warning; `userInputs` (email, name) count against it. */
export function PasswordStrength({ id, password, userInputs }: { id: string; password: string; userInputs: string[] }) {
  const [result, setResult] = useState<{ password: string; score: number; warning: string | null } | null>(null);
  const inputs = userInputs.join("\n");

  useEffect(() => {
    if (!password) return;
    let active = true;
    void loadCheck().then((check) => {
      if (!active) return;
      const { score, feedback } = check(password, inputs.split("\n").filter(Boolean));
      setResult({ password, score, warning: feedback.warning });
    });
    return () => {
      active = false;
    };
  }, [password, inputs]);

  const current = password && result?.password === password ? result : null;
  return (
    <div id={id} className="grid gap-1.5" aria-live="polite">
      <div className="grid grid-cols-5 gap-1" aria-hidden>
        {BAR.map((color, i) => (
          <div key={i} className={cn("h-1.5 rounded-full bg-muted", current && i <= current.score && color)} />
        ))}
      </div>
      <p className="text-xs text-muted-foreground">
        {current ? (
          <>
            Strength: <span className="font-medium text-foreground">{STRENGTH_LABELS[current.score]}</span>
            {current.warning ? `. ${current.warning}` : ""}
          </>
        ) : (
          "Use at least 8 characters; a few unrelated words make a strong password."
        )}
      </p>
    </div>
  );
}
