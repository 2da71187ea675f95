// The form kit's live validation: fields re-validate as the admin types once a step was submitted.
import { useState } from 'react';
import { liveErrors, type FieldErrors, type Refusal } from './form';

export interface LiveValidation {
  /** What to show under the fields and above the form now. */
  errors: FieldErrors;
  /** Arms the fields `which` accepts (they show errors from now on, live); true when none has one. */
  check: (which: (key: string) => boolean) => boolean;
  /** Keeps main's refusal of `input` (each message clears when its field changes). */
  refuse: (errors: FieldErrors) => void;
  clearRefusal: () => void;
}

/** `validate` maps an input to its schema errors by dotted path (zodPathErrors of a safeParse). */
export function useLiveValidation<I>(input: I, validate: (input: I) => FieldErrors): LiveValidation {
  const [armed, setArmed] = useState<{ f: (key: string) => boolean }>({ f: () => false });
  const [refusal, setRefusal] = useState<Refusal<I> | null>(null);
  const schemaErrors = validate(input);
  return {
    errors: liveErrors(input, schemaErrors, armed.f, refusal),
    check: (which) => {
      const prev = armed.f;
      setArmed({ f: (k) => prev(k) || which(k) });
      return !Object.keys(schemaErrors).some(which);
    },
    refuse: (errors) => setRefusal({ errors, input }),
    clearRefusal: () => setRefusal(null),
  };
}
