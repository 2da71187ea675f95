// The assistant's progress from main (setup.get / setup.save): every move is saved before it shows,
// so a console restart resumes at the same step with what the earlier steps produced.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { SETUP_STEPS, type SetupProgress, type SetupStepId } from '../../../../../shared/features/setup';
import { call } from '../../../api/client';

export const STEP_LABELS: Record<SetupStepId, string> = {
  servers: 'Storage servers',
  settings: 'Storage settings',
  target: 'First target',
  hypervisors: 'Hypervisors',
  access: 'Access',
  paths: 'Path check',
  next: 'Next',
};

/** What skipping a step means, said on its Skip button's side. */
export const SKIP_MEANS: Record<SetupStepId, string> = {
  servers: 'Skipping adds no storage server now: the settings, first target and access steps have nothing to work on. Add one later on the Hosts page.',
  settings: 'Skipping keeps the default storage folder and the proposed base IQN of each server; change them later on the Targets page.',
  target: 'Skipping makes no target now: access and the path check have no target to work on. Create one later on the Targets page.',
  hypervisors: 'Skipping adds no hypervisor: access and the path check have no host to work from. Add them later on the Hosts page.',
  access: "Skipping leaves the target's access list as it is: a hypervisor not on it cannot log in until you edit access on the Targets page.",
  paths: 'Skipping leaves unchecked whether each hypervisor reaches each portal; the dashboard shows no path health until Check portals runs.',
  next: 'Skipping ends the assistant here; the dashboard is your start page.',
};

export interface StepApi {
  progress: SetupProgress;
  /** Marks this step done (with what it produced) and moves to the next one. */
  done: (note: string, patch?: Partial<SetupProgress>) => Promise<void>;
  skip: () => Promise<void>;
  back: () => Promise<void>;
  /** Saves part of the progress without moving. */
  save: (patch: Partial<SetupProgress>) => Promise<void>;
  busy: boolean;
}

export function useSetupProgress() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['setup'], queryFn: () => call('setup.get', {}) });
  const m = useMutation({
    mutationFn: (p: SetupProgress) => call('setup.save', p),
    onSuccess: (p) => qc.setQueryData(['setup'], p),
  });
  const reset = useMutation({ mutationFn: () => call('setup.reset', {}), onSuccess: (p) => qc.setQueryData(['setup'], p) });
  const p = q.data;
  const step = (id: SetupStepId): StepApi | null => {
    if (!p) return null;
    const i = SETUP_STEPS.indexOf(id);
    const nextId = SETUP_STEPS[i + 1];
    const move = (status: 'done' | 'skipped', note: string | null, patch: Partial<SetupProgress> = {}) =>
      m.mutateAsync({ ...p, ...patch, steps: { ...p.steps, [id]: { status, note } }, current: nextId ?? id, finished: !nextId }).then(() => undefined);
    return {
      progress: p,
      done: (note, patch) => move('done', note, patch),
      skip: () => move('skipped', SKIP_MEANS[id]),
      back: () => m.mutateAsync({ ...p, current: SETUP_STEPS[Math.max(0, i - 1)] }).then(() => undefined),
      save: (patch) => m.mutateAsync({ ...p, ...patch }).then(() => undefined),
      busy: m.isPending,
    };
  };
  return { query: q, step, error: m.error, reset: () => reset.mutateAsync(), go: (id: SetupStepId) => p && m.mutateAsync({ ...p, current: id, finished: false }) };
}
