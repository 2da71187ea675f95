// Step 1: the storage servers, added with the Hosts page's own add-host dialog (host key step included).
import { useState } from 'react';
import { Button, Chip, List, ListItem, ListItemText, Typography } from '@mui/material';
import { AddHostDialog } from '../../hosts/AddHostDialog';
import { useHosts } from '../../hosts/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

export function ServersStep({ api }: { api: StepApi }) {
  const hosts = useHosts();
  const [adding, setAdding] = useState(false);
  const storage = (hosts.data ?? []).filter((h) => h.roles.includes('storage') && h.hostKey);
  return (
    <StepFrame
      id="servers"
      api={api}
      intro="Add the server(s) that will hold the LUNs. Portico connects over SSH, shows the host key for you to compare, and probes what the server runs (tgtd)."
      canContinue={storage.length > 0}
      onContinue={() => void api.done(`${storage.map((h) => h.name).join(', ')} added as storage server(s).`, { serverIds: storage.map((h) => h.id) })}
    >
      {storage.length === 0 ? (
        <Typography sx={{ mb: 1 }}>No storage server yet.</Typography>
      ) : (
        <List dense aria-label="Storage servers">
          {storage.map((h) => (
            <ListItem key={h.id} disableGutters>
              <ListItemText primary={`${h.name} (${h.user}@${h.address}:${h.port})`} secondary={h.capabilities?.tools.tgtadm ? 'tgtd found' : 'tgtd not found by the probe'} />
              <Chip size="small" variant="outlined" label={h.connection.state} color={h.connection.state === 'connected' ? 'success' : 'default'} />
            </ListItem>
          ))}
        </List>
      )}
      <Button variant="outlined" onClick={() => setAdding(true)}>Add a storage server</Button>
      {adding && <AddHostDialog open onClose={() => setAdding(false)} />}
    </StepFrame>
  );
}
