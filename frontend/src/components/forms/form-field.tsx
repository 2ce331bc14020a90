import type { ReactNode } from "react";

import { Label } from "@/components/ui/label";

/** What a field's control needs to be labelled, described and marked invalid. */
export interface ControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}

interface FormFieldProps {
  id: string;
  label: ReactNode;
  /** Help shown under the control, read out with it. */
  hint?: ReactNode;
  /** The problem with the value, shown under the control and read out with it; it marks the control invalid. */
  error?: string;
  /** Extra content after the error, e.g. a "Sign in instead" link. */
  after?: ReactNode;
  children(control: ControlProps): ReactNode;
}

/** A label, a control, its hint and its error, tied together with `aria-describedby` and `aria-invalid`. */
export function FormField({ id, label, hint, error, after, children }: FormFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {error && (
        <p id={errorId} className="text-sm font-medium text-destructive">
          {error}
        </p>
      )}
      {after}
      {hint && (
        <div id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </div>
      )}
    </div>
  );
}
