import { h, icon } from '#web/dom';
import type { Actions } from '#web/actions';
import type { Store } from '#web/state';

const WORKFLOW = [
  'Prepare a focused, clean training set for one identity or style.',
  'Select the training model.',
  'Upload the training zip and resolve any validation errors.',
  'Set the trigger phrase and training parameters.',
  'Start training.',
  'Track the run in Training Jobs: queued, running, completed or failed.',
  'Download the LoRA and use its trigger phrase in generator prompts.',
];

const TIPS: [string, string][] = [
  ['Keep references focused and consistent', 'One subject or one style per dataset. Varied angles and lighting help; varied subjects confuse.'],
  ['Avoid mixed quality', 'Leave out blurry, tiny or heavily compressed images, and don’t mix lens language or conflicting styles in one set.'],
  ['Version your datasets', 'Each upload is a new immutable version, and each job records the version it used, so a good result can be reproduced.'],
];

/** Main panel, right card: how to get a good LoRA. */
export function guidancePanel(actions: Actions): HTMLElement {
  return h('section', { class: 'card guide-card', 'aria-labelledby': 'guide-heading', 'data-testid': 'training-guidance' },
    h('div', { class: 'card-body' },
      h('div', { class: 'card-title-row' },
        h('h2', { id: 'guide-heading' }, 'Training guidance'),
        h('button', { class: 'link-btn', type: 'button', onclick: () => actions.setGuideOpen(true) }, icon('book'), 'Guide')),
      h('h3', {}, 'Data quality'),
      h('ul', { class: 'tips' }, ...TIPS.map(([title, text]) => h('li', {}, h('span', { class: 'tip-icon' }, icon('check')), h('div', {}, h('strong', {}, title), h('p', { class: 'muted' }, text))))),
      h('p', { class: 'guide-foot muted' }, 'New here? ', h('button', { class: 'link-btn', type: 'button', onclick: () => actions.setGuideOpen(true) }, 'See the step-by-step workflow'), '.')));
}

/** The dataset guide: how to package a captioned dataset zip. */
export function guideModal(store: Store, actions: Actions): HTMLElement {
  const close = () => actions.setGuideOpen(false);
  const dialog = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-title', 'data-testid': 'guide-modal' },
    h('div', { class: 'modal-head' },
      h('h2', { id: 'modal-title' }, 'Training guide'),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Close', onclick: close }, icon('x'))),
    h('div', { class: 'modal-body' },
      h('h3', {}, 'Workflow'),
      h('ol', { class: 'workflow' }, ...WORKFLOW.map((step) => h('li', {}, step))),
      h('h3', {}, 'Preparing the dataset'),
      h('p', {}, 'Upload one .zip archive. Put each image (or video) at any folder depth, with an optional caption in a .txt file of the same name:'),
      h('pre', { class: 'code-block' }, 'my-subject.zip\n├── 001.png\n├── 001.txt   "ohwx person smiling, outdoor light"\n├── 002.jpg\n├── 002.txt\n└── …'),
      h('ul', { class: 'bullets' },
        h('li', {}, 'Use 10–30 sharp images of one subject or style; at least 512 px on the short side, ideally 1024 px.'),
        h('li', {}, 'Write captions that describe what changes between images (pose, background, light); include your trigger phrase where the subject appears.'),
        h('li', {}, 'Leave out duplicates, watermarks, heavy filters and images where the subject is tiny.'),
        h('li', {}, 'On macOS: select the files → right-click → Compress. On Linux: zip -r my-subject.zip folder/.')),
      h('p', { class: 'muted' }, 'After upload the dataset is validated: counts, sizes and caption pairs are checked, and errors must be fixed before training. Warnings are advice.')),
    h('div', { class: 'modal-foot' }, h('button', { class: 'btn btn-primary', type: 'button', onclick: close }, 'Got it')));
  const backdrop = h('div', { class: 'modal-backdrop', onclick: (e: Event) => e.target === backdrop && close() }, dialog);
  const update = () => {
    backdrop.hidden = !store.get().guideOpen;
  };
  document.addEventListener('keydown', (e) => e.key === 'Escape' && store.get().guideOpen && close());
  update();
  store.subscribe((s, prev) => s.guideOpen !== prev.guideOpen && update());
  return backdrop;
}
