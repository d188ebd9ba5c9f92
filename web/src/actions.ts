import type { Adapter, ApiToken, CreateDatasetVersionRequest, DatasetVersion, Job, Schedule, ServerMessage } from '#domain/schemas';
import { ApiTokenActions } from './actions/api-tokens';
import { DatasetActions } from './actions/datasets';
import { DatasetVersionActions } from './actions/dataset-versions';
import { JobDetailsActions } from './actions/job-details';
import { JobActions } from './actions/jobs';
import { LoraRegistryActions } from './actions/lora-registry';
import { type ScheduleDraft, ScheduleActions } from './actions/schedules';
import { SessionActions } from './actions/session';
import { TrainingFormActions } from './actions/training-form';
import { ApiClient, uploadToPresignedPost } from './api';
import type { Auth, SignedIn } from './auth';
import { absoluteUrl } from './config';
import { packageFiles } from './package-files';
import type { Store } from './state';
import { LiveChannel } from './ws';

/** Everything the panels can ask for. Panels read state from the store and call these; nothing else talks to
 * the API. Each concern lives in actions/; this class puts them behind one object and owns the live channel,
 * whose pushes go to the jobs, the datasets and the schedules. */
export class Actions {
  readonly api: ApiClient;
  private channel: LiveChannel | null = null;
  private readonly session: SessionActions;
  private readonly form: TrainingFormActions;
  private readonly datasets: DatasetActions;
  private readonly versions: DatasetVersionActions;
  private readonly jobs: JobActions;
  private readonly details: JobDetailsActions;
  private readonly loras: LoraRegistryActions;
  private readonly tokens: ApiTokenActions;
  private readonly schedules: ScheduleActions;

  constructor(private readonly store: Store, auth: Auth) {
    const config = store.get().config!;
    this.api = new ApiClient(absoluteUrl(config.apiUrl), store.get().token);
    const ctx = { store, api: this.api };
    this.form = new TrainingFormActions(ctx);
    this.datasets = new DatasetActions(ctx);
    this.versions = new DatasetVersionActions(ctx);
    this.jobs = new JobActions(ctx);
    this.details = new JobDetailsActions(ctx);
    this.loras = new LoraRegistryActions(ctx);
    this.tokens = new ApiTokenActions(ctx);
    this.schedules = new ScheduleActions(ctx, () => this.jobs.refreshJobs());
    this.session = new SessionActions(ctx, auth, () => {
      this.channel?.close();
      this.channel = null;
      this.datasets.stop();
      this.tokens.reset();
    });
    this.api.onUnauthorized = () => void this.expire('Your session expired. Sign in again.');
  }

  /** Load what a signed-in workspace shows and open the live channel. */
  start(): void {
    const { config, token } = this.store.get();
    if (!config || !token) return;
    void this.loadTrainers();
    void this.refreshJobs();
    void this.datasets.loadDatasets();
    void this.loras.loadAdapters();
    void this.schedules.load();
    this.channel?.close();
    this.channel = new LiveChannel(absoluteUrl(config.wsUrl, true), token, {
      onMessage: (m) => this.onMessage(m),
      onState: (link) => this.store.set({ link }),
      onReconnect: () => {
        void this.refreshJobs();
        void this.datasets.refreshDataset();
        void this.versions.load(this.store.get().dataset?.id ?? null);
        void this.schedules.load();
      },
    });
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'job') {
      this.jobs.onPush(m.job);
      this.details.onPush(m.job);
    }
    else if (m.type === 'dataset') {
      this.datasets.onPush(m);
      this.versions.onPush(m);
    }
    else if (m.type === 'schedule') this.schedules.onPush(m.schedule);
    else if (m.type === 'adapter') this.loras.onPush(m.adapter);
  }

  /** A new user or new tokens of the same one: API calls and the live channel go on with the new ID token. */
  userLoaded(user: SignedIn): void {
    this.session.setUser(user);
    this.channel?.setToken(user.token);
  }

  signIn = () => this.session.signIn();
  signOut = () => this.session.signOut();
  expire = (notice: string) => this.session.expire(notice);
  setSidebarCollapsed = (collapsed: boolean) => this.session.setSidebarCollapsed(collapsed);
  setGuideOpen = (open: boolean) => this.session.setGuideOpen(open);

  loadTrainers = () => this.form.loadTrainers();
  selectTrainer = (trainerId: string | null) => this.form.selectTrainer(trainerId);
  setParam = (key: string, value: string | boolean) => this.form.setParam(key, value);
  setTriggerPhrase = (triggerPhrase: string) => this.form.setTriggerPhrase(triggerPhrase);

  chooseDataset = (id: string | null, version?: number) => this.datasets.chooseDataset(id, version);
  uploadFiles = (files: File[]) => this.datasets.uploadFiles(files);
  pickFiles = (files: File[]) => this.datasets.pickFiles(files);
  uploadPicked = (files?: File[]) => this.datasets.uploadPicked(files);
  dropPick = () => this.datasets.dropPick();
  cancelUpload = () => this.datasets.cancelUpload();
  loadVersions = (datasetId: string | null) => this.versions.load(datasetId);
  loadVersionDiff = (datasetId: string, version: DatasetVersion) => this.versions.loadDiff(datasetId, version);
  datasetFiles = (datasetId: string, version: number) => this.api.datasetFiles(datasetId, version);
  createDatasetVersion = (datasetId: string, body: CreateDatasetVersionRequest) => this.api.call('create-dataset-version', { params: { datasetId }, body });
  /** A new version from an edit; added files are packaged into one zip first (so a packaging failure leaves no
   * version waiting), then posted to the answer's presigned `upload`, after which the backend merges them. */
  saveDatasetEdit = async (datasetId: string, body: CreateDatasetVersionRequest, additions: File[], onProgress: (fraction: number) => void) => {
    const packaged = additions.length ? await packageFiles(additions, (f) => onProgress(f / 2)) : null;
    if (packaged && 'error' in packaged) throw new Error(packaged.error);
    const answer = await this.createDatasetVersion(datasetId, { ...body, ...(packaged ? { addUpload: true } : {}) });
    if (!packaged) return answer;
    if (!answer.upload) throw new Error(`Version ${answer.version} was made without an upload for the added files.`);
    await uploadToPresignedPost(answer.upload, packaged.zip, (f) => onProgress(0.5 + f / 2)).done;
    return answer;
  };

  refreshJobs = () => this.jobs.refreshJobs();
  startTraining = () => this.jobs.startTraining();
  estimateJob = () => this.jobs.estimate();
  cancelJob = (job: Job) => this.jobs.cancelJob(job);
  downloadJob = (job: Job) => this.jobs.downloadJob(job);
  downloadArtifact = (job: Job, name: string) => this.jobs.downloadArtifact(job, name);
  dismissJobsError = () => this.jobs.dismissJobsError();

  openJob = (jobId: string) => this.details.open(jobId);
  closeJob = () => this.details.close();
  /** From a job's details to the version it trained on: chosen in the sidebar, marked in the versions panel. */
  showDatasetVersion = async (datasetId: string, version: number) => {
    this.details.close();
    this.store.set({ focusedVersion: { datasetId, version } });
    await this.datasets.chooseDataset(datasetId, version);
  };
  /** "Train again": the form takes the job's trainer, trigger phrase and parameters, on `version` of its dataset. */
  trainAgain = async (job: Job, version: number) => {
    this.form.fillFrom(job);
    this.details.close();
    this.session.setSidebarCollapsed(false);
    await this.datasets.chooseDataset(job.datasetId, version);
  };

  registerJob = (job: Job, name: string) => this.loras.registerJob(job, name);
  unregister = (adapter: Adapter) => this.loras.unregister(adapter);
  importLora: LoraRegistryActions['importLora'] = (file, request, onProgress) => this.loras.importLora(file, request, onProgress);
  adapterLinks = (adapter: Adapter) => this.loras.links(adapter);
  downloadAdapterFile = (adapter: Adapter, name: string) => this.loras.downloadFile(adapter, name);

  refreshSchedules = () => this.schedules.load();
  openScheduleForm = () => this.schedules.openForm();
  closeScheduleForm = () => this.schedules.closeForm();
  createSchedule = (draft: ScheduleDraft) => this.schedules.create(draft);
  setScheduleEnabled = (schedule: Schedule, enabled: boolean) => this.schedules.setEnabled(schedule, enabled);
  runScheduleNow = (schedule: Schedule) => this.schedules.runNow(schedule);
  deleteSchedule = (schedule: Schedule) => this.schedules.remove(schedule);
  toggleScheduleRuns = (id: string) => this.schedules.toggleRuns(id);
  showJob = (jobId: string) => this.schedules.showJob(jobId);
  dismissSchedulesError = () => this.schedules.dismissError();

  openTokens = () => this.tokens.open();
  closeTokens = () => this.tokens.close();
  refreshTokens = () => this.tokens.load();
  createToken = (name: string, expiresInDays: number) => this.tokens.create(name, expiresInDays);
  dismissCreatedToken = () => this.tokens.dismissCreated();
  dismissTokensError = () => this.tokens.dismissError();
  revokeToken = (token: ApiToken) => this.tokens.revoke(token);
}
