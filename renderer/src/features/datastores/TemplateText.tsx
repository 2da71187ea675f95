// A rendered OpenNebula template (KEY = "value" text), as the review shows it and exports it.
import { Box, Paper, Typography } from '@mui/material';

export function TemplateText({ title, text }: { title: string; text: string }) {
  return (
    <Box>
      <Typography variant="subtitle2" component="h3">{title}</Typography>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 0.5 }}>
        The text form, for review and export; oned receives the same attributes as XML (root TEMPLATE), so no value can turn into template syntax.
      </Typography>
      <Paper variant="outlined" component="pre" aria-label={title} sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 300, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Paper>
    </Box>
  );
}
