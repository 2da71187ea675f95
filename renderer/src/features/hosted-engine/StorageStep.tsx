import { FormControl, FormControlLabel, FormLabel, Radio, RadioGroup, Stack, TextField } from '@mui/material';
import type { StorageType } from './wizard-model';
import type { HeWizard } from './useHostedEngineWizard';

/** Storage step: iSCSI or NFS (server and export), and the storage domain name. */
export function StorageStep({ w }: { w: HeWizard }) {
  const { f, set, err, errors, iscsi } = w;
  return (
    <Stack spacing={2} sx={{ maxWidth: 620 }}>
      <FormControl>
        <FormLabel id="he-storage-type">Storage type</FormLabel>
        <RadioGroup row aria-labelledby="he-storage-type" value={f.storageType} onChange={(e) => set({ storageType: e.target.value as StorageType })}>
          <FormControlLabel value="iscsi" control={<Radio />} label="iSCSI" />
          <FormControlLabel value="nfs3" control={<Radio />} label="NFS v3" />
          <FormControlLabel value="nfs4" control={<Radio />} label="NFS v4" />
        </RadioGroup>
      </FormControl>
      {!iscsi && (
        <Stack direction="row" spacing={2}>
          <TextField label="NFS server" value={f.server} onChange={(e) => set({ server: e.target.value })} {...err('server')} fullWidth />
          <TextField label="Export path" placeholder="/exports/he" value={f.exportPath} onChange={(e) => set({ exportPath: e.target.value })} {...err('exportPath')} fullWidth />
        </Stack>
      )}
      <TextField label="Storage domain name" value={f.domainName} onChange={(e) => set({ domainName: e.target.value })} {...err('domainName')}
        helperText={errors.domainName ?? 'The name oVirt shows for the hosted-engine storage domain.'} />
    </Stack>
  );
}
