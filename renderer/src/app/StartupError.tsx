import { Alert, AlertTitle, Box } from '@mui/material';

export function StartupError({ message }: { message: string }) {
  return (
    <Box sx={{ p: 4, maxWidth: 720 }}>
      <Alert severity="error" role="alert">
        <AlertTitle>Portico could not connect</AlertTitle>
        {message}
      </Alert>
    </Box>
  );
}
