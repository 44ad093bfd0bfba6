<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>hace::gui::MainWindow</name>
    <message>
        <source>Cell %1</source>
        <translation>Cell %1</translation>
    </message>
    <message>
        <source>Open sweep</source>
        <translation>Open sweep</translation>
    </message>
    <message>
        <source>Open results</source>
        <translation>Open results</translation>
    </message>
    <message>
        <source>Designer</source>
        <translation>Designer</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Results</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>Curves</translation>
    </message>
    <message>
        <source>Needle map</source>
        <translation>Needle map</translation>
    </message>
    <message>
        <source>Ablation</source>
        <translation>Ablation</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Compare</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Open sweep...</source>
        <translation>&amp;Open sweep...</translation>
    </message>
    <message>
        <source>Recent sweeps</source>
        <translation>Recent sweeps</translation>
    </message>
    <message>
        <source>&amp;Save sweep</source>
        <translation>&amp;Save sweep</translation>
    </message>
    <message>
        <source>Save sweep &amp;as...</source>
        <translation>Save sweep &amp;as...</translation>
    </message>
    <message>
        <source>Open &amp;results...</source>
        <translation>Open &amp;results...</translation>
    </message>
    <message>
        <source>Recent results</source>
        <translation>Recent results</translation>
    </message>
    <message>
        <source>Re&amp;load results</source>
        <translation>Re&amp;load results</translation>
    </message>
    <message>
        <source>&amp;Export figure...</source>
        <translation>&amp;Export figure...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Run</translation>
    </message>
    <message>
        <source>&amp;Dry run</source>
        <translation>&amp;Dry run</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Start</translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation>&amp;Pause / resume</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Cancel</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Open the e&amp;xample sweep</source>
        <translation>Open the e&amp;xample sweep</translation>
    </message>
    <message>
        <source>The example sweep is not installed (looked for %1).</source>
        <translation>The example sweep is not installed (looked for %1).</translation>
    </message>
    <message>
        <source>Example sweep loaded: Run &gt; Start stores its results in %1</source>
        <translation>Example sweep loaded: Run &gt; Start stores its results in %1</translation>
    </message>
    <message>
        <source>&amp;About HACE Workbench</source>
        <translation>&amp;About HACE Workbench</translation>
    </message>
    <message>
        <source>HACE Workbench</source>
        <translation>HACE Workbench</translation>
    </message>
    <message>
        <source>%1 - HACE Workbench</source>
        <translation>%1 - HACE Workbench</translation>
    </message>
    <message>
        <source>Run in progress</source>
        <translation>Run in progress</translation>
    </message>
    <message>
        <source>A sweep is running. Stop it after the sample in flight and quit? What is stored stays; a resumed run continues from there.</source>
        <translation>A sweep is running. Stop it after the sample in flight and quit? What is stored stays; a resumed run continues from there.</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Opened %1</translation>
    </message>
    <message>
        <source>Sweep specs (*.json);;All files (*)</source>
        <translation>Sweep specs (*.json);;All files (*)</translation>
    </message>
    <message>
        <source>Save sweep</source>
        <translation>Save sweep</translation>
    </message>
    <message>
        <source>Results (*.sqlite *.db);;All files (*)</source>
        <translation>Results (*.sqlite *.db);;All files (*)</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>Export figure</translation>
    </message>
    <message>
        <source>This view shows no figure to export.</source>
        <translation>This view shows no figure to export.</translation>
    </message>
    <message>
        <source>Start run</source>
        <translation>Start run</translation>
    </message>
    <message>
        <source>The sweep has problems; the designer lists them.</source>
        <translation>The sweep has problems; the designer lists them.</translation>
    </message>
    <message>
        <source>Choose a results database first.</source>
        <translation>Choose a results database first.</translation>
    </message>
    <message>
        <source>Run stopped; resume continues it.</source>
        <translation>Run stopped; resume continues it.</translation>
    </message>
    <message>
        <source>Run finished.</source>
        <translation>Run finished.</translation>
    </message>
    <message>
        <source>Run failed: %1</source>
        <translation>Run failed: %1</translation>
    </message>
    <message>
        <source>About HACE Workbench</source>
        <translation>About HACE Workbench</translation>
    </message>
    <message>
        <source>&lt;b&gt;HACE Workbench %1&lt;/b&gt;&lt;p&gt;Sweeps of KV-cache compression methods: design, run, browse and plot.&lt;/p&gt;</source>
        <translation>&lt;b&gt;HACE Workbench %1&lt;/b&gt;&lt;p&gt;Sweeps of KV-cache compression methods: design, run, browse and plot.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>hace::kv::Params</name>
    <message>
        <source>token scorer, any under any allocator</source>
        <translation>token scorer, any under any allocator</translation>
    </message>
    <message>
        <source>observation window w: the last w queries score, the last min(w, C/2) tokens are always kept</source>
        <translation>observation window w: the last w queries score, the last min(w, C/2) tokens are always kept</translation>
    </message>
    <message>
        <source>pooling kernel of the scores (odd)</source>
        <translation>pooling kernel of the scores (odd)</translation>
    </message>
    <message>
        <source>SEL-CAKE variance weight</source>
        <translation>SEL-CAKE variance weight</translation>
    </message>
    <message>
        <source>PyramidKV beta: the last layer keeps B / beta</source>
        <translation>PyramidKV beta: the last layer keeps B / beta</translation>
    </message>
    <message>
        <source>CAKE entropy exponent tau1</source>
        <translation>CAKE entropy exponent tau1</translation>
    </message>
    <message>
        <source>CAKE variance exponent tau2</source>
        <translation>CAKE variance exponent tau2</translation>
    </message>
    <message>
        <source>HeadKV beta: the share of the budget that head scores move</source>
        <translation>HeadKV beta: the share of the budget that head scores move</translation>
    </message>
    <message>
        <source>temperature of the head scores</source>
        <translation>temperature of the head scores</translation>
    </message>
    <message>
        <source>AdaKV safeguard: each head keeps alpha of its share</source>
        <translation>AdaKV safeguard: each head keeps alpha of its share</translation>
    </message>
    <message>
        <source>AdaKV score normalisation (off in AdaKV&apos;s runs)</source>
        <translation>AdaKV score normalisation (off in AdaKV&apos;s runs)</translation>
    </message>
    <message>
        <source>no eviction while decoding: SEL-CAKE&apos;s and TOVA&apos;s per-step eviction, H2O&apos;s accumulate-and-evict and StreamingLLM&apos;s rolling cache become one-shot at prefill</source>
        <translation>no eviction while decoding: SEL-CAKE&apos;s and TOVA&apos;s per-step eviction, H2O&apos;s accumulate-and-evict and StreamingLLM&apos;s rolling cache become one-shot at prefill</translation>
    </message>
    <message>
        <source>attention sinks always kept (StreamingLLM, expected attention)</source>
        <translation>attention sinks always kept (StreamingLLM, expected attention)</translation>
    </message>
    <message>
        <source>H2O recent tokens; heavy hitters = C - recent</source>
        <translation>H2O recent tokens; heavy hitters = C - recent</translation>
    </message>
    <message>
        <source>seed of the random scorer</source>
        <translation>seed of the random scorer</translation>
    </message>
    <message>
        <source>store the kept entries KIVI-quantised: 2 or 4 bits</source>
        <translation>store the kept entries KIVI-quantised: 2 or 4 bits</translation>
    </message>
    <message>
        <source>KIVI group size G (head_dim when smaller)</source>
        <translation>KIVI group size G (head_dim when smaller)</translation>
    </message>
    <message>
        <source>KIVI full-precision residual R, a multiple of G</source>
        <translation>KIVI full-precision residual R, a multiple of G</translation>
    </message>
    <message>
        <source>the method&apos;s own (faithful: the reference&apos;s)</source>
        <translation>the method&apos;s own (faithful: the reference&apos;s)</translation>
    </message>
    <message>
        <source>the selector&apos;s</source>
        <translation>the selector&apos;s</translation>
    </message>
    <message>
        <source>CAKE&apos;s table for the model and C</source>
        <translation>CAKE&apos;s table for the model and C</translation>
    </message>
    <message>
        <source>min(w, C/2)</source>
        <translation>min(w, C/2)</translation>
    </message>
    <message>
        <source>full precision (kivi: 2)</source>
        <translation>full precision (kivi: 2)</translation>
    </message>
</context>
<context>
    <name>hace::views::AblationView</name>
    <message>
        <source>Nothing to tabulate for this selection: %1</source>
        <translation>Nothing to tabulate for this selection: %1</translation>
    </message>
    <message>
        <source>Cliff (within %1%)</source>
        <translation>Cliff (within %1%)</translation>
    </message>
    <message numerus="yes">
        <source>%n sample(s)</source>
        <translation>
            <numerusform>%n sample</numerusform>
            <numerusform>%n samples</numerusform>
        </translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>The full-cache score, for reference</source>
        <translation>The full-cache score, for reference</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Model:</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>Task:</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>Context:</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metric:</translation>
    </message>
    <message>
        <source>Copy table</source>
        <translation>Copy table</translation>
    </message>
    <message numerus="yes">
        <source>Each cell: mean %1 half of its 95% confidence interval, n = samples. Bold: better than every other method at that ratio on the same samples, significant at level %2 (paired sign-flip test, Holm-adjusted over %n comparison(s)).</source>
        <translation>
            <numerusform>Each cell: mean %1 half of its 95% confidence interval, n = samples. Bold: better than every other method at that ratio on the same samples, significant at level %2 (paired sign-flip test, Holm-adjusted over %n comparison).</numerusform>
            <numerusform>Each cell: mean %1 half of its 95% confidence interval, n = samples. Bold: better than every other method at that ratio on the same samples, significant at level %2 (paired sign-flip test, Holm-adjusted over %n comparisons).</numerusform>
        </translation>
    </message>
    <message>
        <source>95% confidence interval: [%1, %2]</source>
        <translation>95% confidence interval: [%1, %2]</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>Level:</translation>
    </message>
</context>
<context>
    <name>hace::views::CellTableModel</name>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>pending</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Task</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Context</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>Retention</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Samples</translation>
    </message>
    <message>
        <source>Realised retention</source>
        <translation>Realised retention</translation>
    </message>
    <message>
        <source>ms / sample</source>
        <translation>ms / sample</translation>
    </message>
    <message numerus="yes">
        <source>Wilson score interval over %n sample(s) (0/1 metric)</source>
        <translation>
            <numerusform>Wilson score interval over %n sample (0/1 metric)</numerusform>
            <numerusform>Wilson score interval over %n samples (0/1 metric)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Percentile bootstrap over %n sample(s), 10000 resamples</source>
        <translation>
            <numerusform>Percentile bootstrap over %n sample, 10000 resamples</numerusform>
            <numerusform>Percentile bootstrap over %n samples, 10000 resamples</numerusform>
        </translation>
    </message>
    <message>
        <source>95% CI</source>
        <translation>95% CI</translation>
    </message>
    <message>
        <source>%1 trials</source>
        <translation>%1 trials</translation>
    </message>
    <message>
        <source>%1 accepted</source>
        <translation>%1 accepted</translation>
    </message>
    <message>
        <source>C=%1</source>
        <translation>C=%1</translation>
    </message>
</context>
<context>
    <name>hace::views::CliffRenderer</name>
    <message>
        <source>Performance cliff (%1 within %2% of full cache)</source>
        <translation>Performance cliff (%1 within %2% of full cache)</translation>
    </message>
    <message>
        <source>fails at every ratio</source>
        <translation>fails at every ratio</translation>
    </message>
    <message>
        <source>no full-cache result</source>
        <translation>no full-cache result</translation>
    </message>
    <message>
        <source>No results with a retention ratio</source>
        <translation>No results with a retention ratio</translation>
    </message>
    <message>
        <source>Lowest retention within tolerance</source>
        <translation>Lowest retention within tolerance</translation>
    </message>
</context>
<context>
    <name>hace::views::ComparisonView</name>
    <message>
        <source>Left:</source>
        <translation>Left:</translation>
    </message>
    <message>
        <source>Right:</source>
        <translation>Right:</translation>
    </message>
    <message>
        <source>Statistic:</source>
        <translation>Statistic:</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Metric</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Left</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>Right</translation>
    </message>
    <message>
        <source>Right - left</source>
        <translation>Right - left</translation>
    </message>
    <message>
        <source>Choose a cell with per-head statistics.</source>
        <translation>Choose a cell with per-head statistics.</translation>
    </message>
    <message>
        <source>95% CI of the difference</source>
        <translation>95% CI of the difference</translation>
    </message>
    <message>
        <source>p (Holm)</source>
        <translation>p (Holm)</translation>
    </message>
    <message>
        <source>Common samples</source>
        <translation>Common samples</translation>
    </message>
    <message>
        <source>Differences over the samples both cells hold (paired by sample id); p: two-sided sign-flip permutation test, Holm-adjusted over the listed metrics. A value is bold only when its lead is significant at 0.05.</source>
        <translation>Differences over the samples both cells hold (paired by sample id); p: two-sided sign-flip permutation test, Holm-adjusted over the listed metrics. A value is bold only when its lead is significant at 0.05.</translation>
    </message>
</context>
<context>
    <name>hace::views::CurveRenderer</name>
    <message>
        <source>%1 vs. KV retention</source>
        <translation>%1 vs. KV retention</translation>
    </message>
    <message>
        <source>KV cache retention</source>
        <translation>KV cache retention</translation>
    </message>
    <message>
        <source>Cliff (within %1% of full)</source>
        <translation>Cliff (within %1% of full)</translation>
    </message>
    <message>
        <source>No results with a retention ratio</source>
        <translation>No results with a retention ratio</translation>
    </message>
    <message>
        <source>Error bars: 95% confidence interval</source>
        <translation>Error bars: 95% confidence interval</translation>
    </message>
    <message>
        <source>%1 vs. KV budget</source>
        <translation>%1 vs. KV budget</translation>
    </message>
    <message>
        <source>KV cache budget (tokens per head)</source>
        <translation>KV cache budget (tokens per head)</translation>
    </message>
</context>
<context>
    <name>hace::views::CurvesView</name>
    <message>
        <source>Nothing to draw for this selection: %1</source>
        <translation>Nothing to draw for this selection: %1</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Model:</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>Task:</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>Context:</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metric:</translation>
    </message>
    <message>
        <source>Cliff tolerance:</source>
        <translation>Cliff tolerance:</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>Curves</translation>
    </message>
    <message>
        <source>Cliff bars</source>
        <translation>Cliff bars</translation>
    </message>
    <message>
        <source>Export...</source>
        <translation>Export...</translation>
    </message>
    <message>
        <source>Open a results database to see retention-performance curves.</source>
        <translation>Open a results database to see retention-performance curves.</translation>
    </message>
</context>
<context>
    <name>hace::views::ExportDialog</name>
    <message>
        <source>Export figure</source>
        <translation>Export figure</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)</source>
        <translation>PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)</translation>
    </message>
    <message>
        <source>%1 x %2 in (%3 x %4 mm)</source>
        <translation>%1 x %2 in (%3 x %4 mm)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>Width:</translation>
    </message>
    <message>
        <source>Single column (3.5 in)</source>
        <translation>Single column (3.5 in)</translation>
    </message>
    <message>
        <source>Double column (7.16 in)</source>
        <translation>Double column (7.16 in)</translation>
    </message>
    <message>
        <source>PNG resolution:</source>
        <translation>PNG resolution:</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation>Font size:</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Title line</source>
        <translation>Title line</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Browse...</translation>
    </message>
</context>
<context>
    <name>hace::views::FigureExport</name>
    <message>
        <source>resolution %1 dpi is outside 36..2400</source>
        <translation>resolution %1 dpi is outside 36..2400</translation>
    </message>
    <message>
        <source>cannot write the PNG file</source>
        <translation>cannot write the PNG file</translation>
    </message>
    <message>
        <source>cannot write the PDF file</source>
        <translation>cannot write the PDF file</translation>
    </message>
    <message>
        <source>cannot write the SVG file</source>
        <translation>cannot write the SVG file</translation>
    </message>
</context>
<context>
    <name>hace::views::FigureView</name>
    <message>
        <source>Export figure...</source>
        <translation>Export figure...</translation>
    </message>
</context>
<context>
    <name>hace::views::HeatmapRenderer</name>
    <message>
        <source>%1 per head</source>
        <translation>%1 per head</translation>
    </message>
    <message>
        <source>No per-head statistics</source>
        <translation>No per-head statistics</translation>
    </message>
    <message>
        <source>KV head</source>
        <translation>KV head</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
</context>
<context>
    <name>hace::views::HivRenderer</name>
    <message>
        <source>Head importance variance test (HIV)</source>
        <translation>Head importance variance test (HIV)</translation>
    </message>
</context>
<context>
    <name>hace::views::KeptTokensPanel</name>
    <message>
        <source>(none)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>All layers</source>
        <translation>All layers</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>All heads</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>Compare with:</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Layer:</translation>
    </message>
    <message>
        <source>KV head:</source>
        <translation>KV head:</translation>
    </message>
    <message>
        <source>No kept positions stored for this sample (run the sweep with &quot;store_kept&quot;: true).</source>
        <translation>No kept positions stored for this sample (run the sweep with &quot;store_kept&quot;: true).</translation>
    </message>
</context>
<context>
    <name>hace::views::Labels</name>
    <message>
        <source>Full cache</source>
        <translation>Full cache</translation>
    </message>
    <message>
        <source>StreamingLLM</source>
        <translation>StreamingLLM</translation>
    </message>
    <message>
        <source>H2O</source>
        <translation>H2O</translation>
    </message>
    <message>
        <source>SnapKV</source>
        <translation>SnapKV</translation>
    </message>
    <message>
        <source>PyramidKV</source>
        <translation>PyramidKV</translation>
    </message>
    <message>
        <source>Ada-KV</source>
        <translation>Ada-KV</translation>
    </message>
    <message>
        <source>CAKE</source>
        <translation>CAKE</translation>
    </message>
    <message>
        <source>HeadKV</source>
        <translation>HeadKV</translation>
    </message>
    <message>
        <source>HACE</source>
        <translation>HACE</translation>
    </message>
    <message>
        <source>HACE (layer only)</source>
        <translation>HACE (layer only)</translation>
    </message>
    <message>
        <source>HACE (head only)</source>
        <translation>HACE (head only)</translation>
    </message>
    <message>
        <source>KIVI</source>
        <translation>KIVI</translation>
    </message>
    <message>
        <source>NarrativeQA</source>
        <translation>NarrativeQA</translation>
    </message>
    <message>
        <source>Qasper</source>
        <translation>Qasper</translation>
    </message>
    <message>
        <source>MultiFieldQA (en)</source>
        <translation>MultiFieldQA (en)</translation>
    </message>
    <message>
        <source>MultiFieldQA (zh)</source>
        <translation>MultiFieldQA (zh)</translation>
    </message>
    <message>
        <source>Needle in a haystack</source>
        <translation>Needle in a haystack</translation>
    </message>
    <message>
        <source>Needle task</source>
        <translation>Needle task</translation>
    </message>
    <message>
        <source>Head importance test</source>
        <translation>Head importance test</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>QA F1</source>
        <translation>QA F1</translation>
    </message>
    <message>
        <source>QA F1 (zh)</source>
        <translation>QA F1 (zh)</translation>
    </message>
    <message>
        <source>ROUGE-L</source>
        <translation>ROUGE-L</translation>
    </message>
    <message>
        <source>ROUGE-1</source>
        <translation>ROUGE-1</translation>
    </message>
    <message>
        <source>Exact match</source>
        <translation>Exact match</translation>
    </message>
    <message>
        <source>Keyword recall</source>
        <translation>Keyword recall</translation>
    </message>
    <message>
        <source>Token agreement</source>
        <translation>Token agreement</translation>
    </message>
    <message>
        <source>First divergence</source>
        <translation>First divergence</translation>
    </message>
    <message>
        <source>ROUGE-L vs. full</source>
        <translation>ROUGE-L vs. full</translation>
    </message>
    <message>
        <source>KL vs. full</source>
        <translation>KL vs. full</translation>
    </message>
    <message>
        <source>Cache efficiency</source>
        <translation>Cache efficiency</translation>
    </message>
    <message>
        <source>Head specialization</source>
        <translation>Head specialization</translation>
    </message>
    <message>
        <source>Head Gini</source>
        <translation>Head Gini</translation>
    </message>
    <message>
        <source>Kept entries</source>
        <translation>Kept entries</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <source>Head importance</source>
        <translation>Head importance</translation>
    </message>
    <message>
        <source>Attention entropy</source>
        <translation>Attention entropy</translation>
    </message>
    <message>
        <source>Attention variance</source>
        <translation>Attention variance</translation>
    </message>
    <message>
        <source>%1 (faithful)</source>
        <translation>%1 (faithful)</translation>
    </message>
    <message>
        <source>Needle exact match</source>
        <translation>Needle exact match</translation>
    </message>
    <message>
        <source>ROUGE-1 (x10)</source>
        <translation>ROUGE-1 (x10)</translation>
    </message>
    <message>
        <source>Trials</source>
        <translation>Trials</translation>
    </message>
    <message>
        <source>Accepted trials</source>
        <translation>Accepted trials</translation>
    </message>
    <message>
        <source>Acceptance rate</source>
        <translation>Acceptance rate</translation>
    </message>
    <message>
        <source>Split-half Spearman</source>
        <translation>Split-half Spearman</translation>
    </message>
    <message>
        <source>Short-long Spearman</source>
        <translation>Short-long Spearman</translation>
    </message>
    <message>
        <source>Mean dispersion</source>
        <translation>Mean dispersion</translation>
    </message>
    <message>
        <source>Mean normalised entropy</source>
        <translation>Mean normalised entropy</translation>
    </message>
    <message>
        <source>Coefficient of variation</source>
        <translation>Coefficient of variation</translation>
    </message>
    <message>
        <source>Importance variance across trials</source>
        <translation>Importance variance across trials</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Random</translation>
    </message>
    <message>
        <source>K-norm</source>
        <translation>K-norm</translation>
    </message>
    <message>
        <source>TOVA</source>
        <translation>TOVA</translation>
    </message>
    <message>
        <source>Expected Attention</source>
        <translation>Expected Attention</translation>
    </message>
    <message>
        <source>SEL-CAKE</source>
        <translation>SEL-CAKE</translation>
    </message>
    <message>
        <source>SEL-SNAP</source>
        <translation>SEL-SNAP</translation>
    </message>
    <message>
        <source>Mean + 200 x variance of the last 32 queries&apos; attention, average pooled; evicts while decoding</source>
        <translation>Mean + 200 x variance of the last 32 queries&apos; attention, average pooled; evicts while decoding</translation>
    </message>
    <message>
        <source>Mean attention of the last 8 queries, max pooled</source>
        <translation>Mean attention of the last 8 queries, max pooled</translation>
    </message>
    <message>
        <source>Seeded random scores: the floor every comparison needs</source>
        <translation>Seeded random scores: the floor every comparison needs</translation>
    </message>
    <message>
        <source>Keeps the keys with the lowest L2 norm</source>
        <translation>Keeps the keys with the lowest L2 norm</translation>
    </message>
    <message>
        <source>Attention of the newest query; evicts the lowest entry at every decode step</source>
        <translation>Attention of the newest query; evicts the lowest entry at every decode step</translation>
    </message>
    <message>
        <source>Attention expected from future queries (a Gaussian fitted to the last queries), times the value norm</source>
        <translation>Attention expected from future queries (a Gaussian fitted to the last queries), times the value norm</translation>
    </message>
</context>
<context>
    <name>hace::views::NeedleRenderer</name>
    <message>
        <source>Needle in a haystack</source>
        <translation>Needle in a haystack</translation>
    </message>
    <message>
        <source>No needle results</source>
        <translation>No needle results</translation>
    </message>
    <message>
        <source>Context length (tokens)</source>
        <translation>Context length (tokens)</translation>
    </message>
    <message>
        <source>Needle depth (%)</source>
        <translation>Needle depth (%)</translation>
    </message>
    <message>
        <source>Needle in a haystack (mean %1: %2)</source>
        <translation>Needle in a haystack (mean %1: %2)</translation>
    </message>
</context>
<context>
    <name>hace::views::NeedleView</name>
    <message>
        <source>Nothing to draw for this selection: %1</source>
        <translation>Nothing to draw for this selection: %1</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>Task:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Model:</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>Method:</translation>
    </message>
    <message>
        <source>Retention:</source>
        <translation>Retention:</translation>
    </message>
    <message>
        <source>Export...</source>
        <translation>Export...</translation>
    </message>
    <message>
        <source>Open a results database with needle-in-a-haystack cells to see the map.</source>
        <translation>Open a results database with needle-in-a-haystack cells to see the map.</translation>
    </message>
</context>
<context>
    <name>hace::views::ParamEditor</name>
    <message>
        <source>Parameters of %1</source>
        <translation>Parameters of %1</translation>
    </message>
    <message>
        <source>The parameters are not a JSON object (%1); OK replaces them with the fields below.</source>
        <translation>The parameters are not a JSON object (%1); OK replaces them with the fields below.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Parameter&lt;/b&gt;</source>
        <translation>&lt;b&gt;Parameter&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Value&lt;/b&gt;</source>
        <translation>&lt;b&gt;Value&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Default&lt;/b&gt;</source>
        <translation>&lt;b&gt;Default&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Mode&lt;/b&gt;</source>
        <translation>&lt;b&gt;Mode&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Not parameters of this method (kept as they are; the validation reports them): %1</source>
        <translation>Not parameters of this method (kept as they are; the validation reports them): %1</translation>
    </message>
    <message>
        <source>All defaults</source>
        <translation>All defaults</translation>
    </message>
    <message>
        <source>equal only</source>
        <translation>equal only</translation>
    </message>
    <message>
        <source>faithful only</source>
        <translation>faithful only</translation>
    </message>
    <message>
        <source>both modes</source>
        <translation>both modes</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(empty)</translation>
    </message>
    <message>
        <source>on</source>
        <translation>on</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>(default)</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>default: %1</translation>
    </message>
    <message>
        <source>Leave the key out: the method&apos;s own default applies.</source>
        <translation>Leave the key out: the method&apos;s own default applies.</translation>
    </message>
    <message>
        <source>Not read in the %1 mode this method runs in.</source>
        <translation>Not read in the %1 mode this method runs in.</translation>
    </message>
    <message>
        <source>(read only by a selector that uses it)</source>
        <translation>(read only by a selector that uses it)</translation>
    </message>
    <message>
        <source>%1. Default: %2.</source>
        <translation>%1. Default: %2.</translation>
    </message>
    <message>
        <source>The JSON has %1 here (%2); it is kept until you change this field.</source>
        <translation>The JSON has %1 here (%2); it is kept until you change this field.</translation>
    </message>
    <message>
        <source>more than this field can show</source>
        <translation>more than this field can show</translation>
    </message>
</context>
<context>
    <name>hace::views::ResultsBrowser</name>
    <message>
        <source>All tasks</source>
        <translation>All tasks</translation>
    </message>
    <message>
        <source>All methods</source>
        <translation>All methods</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Any status</translation>
    </message>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>pending</translation>
    </message>
    <message>
        <source>No results database open (File &gt; Open results...).</source>
        <translation>No results database open (File &gt; Open results...).</translation>
    </message>
    <message>
        <source>%1: %2 cells, %3 samples</source>
        <translation>%1: %2 cells, %3 samples</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>Sample</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Prediction</translation>
    </message>
    <message>
        <source>References</source>
        <translation>References</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>Metrics</translation>
    </message>
    <message>
        <source>Prompt %1 tokens, output %2 tokens; prefill %3 ms, decode %4 ms, total %5 ms</source>
        <translation>Prompt %1 tokens, output %2 tokens; prefill %3 ms, decode %4 ms, total %5 ms</translation>
    </message>
    <message>
        <source>Realised retention %1</source>
        <translation>Realised retention %1</translation>
    </message>
    <message>
        <source>Filter: model, method, task or cell hash</source>
        <translation>Filter: model, method, task or cell hash</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Sample id</source>
        <translation>Sample id</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>Prompt tokens</translation>
    </message>
    <message>
        <source>Select a sample with per-head statistics to see its heatmap.</source>
        <translation>Select a sample with per-head statistics to see its heatmap.</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Heatmap</translation>
    </message>
    <message>
        <source>Kept tokens</source>
        <translation>Kept tokens</translation>
    </message>
</context>
<context>
    <name>hace::views::RunMonitor</name>
    <message>
        <source>Results database</source>
        <translation>Results database</translation>
    </message>
    <message>
        <source>Results (*.sqlite *.db);;All files (*)</source>
        <translation>Results (*.sqlite *.db);;All files (*)</translation>
    </message>
    <message>
        <source>%1 of %2 samples (%3 skipped, %4 failed)</source>
        <translation>%1 of %2 samples (%3 skipped, %4 failed)</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>ETA %1</translation>
    </message>
    <message>
        <source>ETA unknown</source>
        <translation>ETA unknown</translation>
    </message>
    <message>
        <source>worker queue: %1</source>
        <translation>worker queue: %1</translation>
    </message>
    <message>
        <source>Jobs queued or running on the CPU worker pool beside the model: scoring finished samples and building the next ones</source>
        <translation>Jobs queued or running on the CPU worker pool beside the model: scoring finished samples and building the next ones</translation>
    </message>
    <message>
        <source>Elapsed %1, stage: %2</source>
        <translation>Elapsed %1, stage: %2</translation>
    </message>
    <message>
        <source>cell %1 of %2: %v of %m samples</source>
        <translation>cell %1 of %2: %v of %m samples</translation>
    </message>
    <message numerus="yes">
        <source>... %n log line(s) skipped</source>
        <translation>
            <numerusform>... %n log line skipped</numerusform>
            <numerusform>... %n log lines skipped</numerusform>
        </translation>
    </message>
    <message>
        <source>warning: </source>
        <translation>warning: </translation>
    </message>
    <message>
        <source>run failed: %1</source>
        <translation>run failed: %1</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>pending</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>failed: %1</translation>
    </message>
    <message>
        <source>Current cell: %1, %2, %3 tokens, %4</source>
        <translation>Current cell: %1, %2, %3 tokens, %4</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Idle</translation>
    </message>
    <message>
        <source>This build cannot run sweeps</source>
        <translation>This build cannot run sweeps</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Running</translation>
    </message>
    <message>
        <source>Paused (after the sample in flight)</source>
        <translation>Paused (after the sample in flight)</translation>
    </message>
    <message>
        <source>Cancelling after the sample in flight...</source>
        <translation>Cancelling after the sample in flight...</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finished</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Results database:</source>
        <translation>Results database:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Browse...</translation>
    </message>
    <message>
        <source>Resume: skip samples already stored</source>
        <translation>Resume: skip samples already stored</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Task / context</source>
        <translation>Task / context</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>Retention</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Live heatmap: kept entries per head</source>
        <translation>Live heatmap: kept entries per head</translation>
    </message>
    <message>
        <source>Live heatmap: budget per head</source>
        <translation>Live heatmap: budget per head</translation>
    </message>
    <message>
        <source>The heatmap of the sample in flight appears here during a run.</source>
        <translation>The heatmap of the sample in flight appears here during a run.</translation>
    </message>
    <message>
        <source>No run yet</source>
        <translation>No run yet</translation>
    </message>
</context>
<context>
    <name>hace::views::SpecDesigner</name>
    <message>
        <source>Model folder</source>
        <translation>Model folder</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>No problems: the sweep can run.</source>
        <translation>No problems: the sweep can run.</translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) must be fixed before the sweep can run.</source>
        <translation>
            <numerusform>%n problem must be fixed before the sweep can run.</numerusform>
            <numerusform>%n problems must be fixed before the sweep can run.</numerusform>
        </translation>
    </message>
    <message>
        <source>Fix the problems first.</source>
        <translation>Fix the problems first.</translation>
    </message>
    <message>
        <source>No planner available.</source>
        <translation>No planner available.</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Sweep</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>Description:</translation>
    </message>
    <message>
        <source>Context lengths:</source>
        <translation>Context lengths:</translation>
    </message>
    <message>
        <source>tokens, comma separated, e.g. 4096, 8192</source>
        <translation>tokens, comma separated, e.g. 4096, 8192</translation>
    </message>
    <message>
        <source>Retention ratios:</source>
        <translation>Retention ratios:</translation>
    </message>
    <message>
        <source>fractions in (0, 1], e.g. 0.005, 0.01, 0.05</source>
        <translation>fractions in (0, 1], e.g. 0.005, 0.01, 0.05</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batch size:</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <source>Samples decoded together (same results); auto: the most that fit in memory, %1% kept free</source>
        <translation>Samples decoded together (same results); auto: the most that fit in memory, %1% kept free</translation>
    </message>
    <message>
        <source>Samples per task:</source>
        <translation>Samples per task:</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Device:</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>Data type:</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Mode:</translation>
    </message>
    <message>
        <source>equal: the equal-budget readings; faithful: each reference implementation&apos;s own rules</source>
        <translation>equal: the equal-budget readings; faithful: each reference implementation&apos;s own rules</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Models</translation>
    </message>
    <message>
        <source>Head scores file (optional)</source>
        <translation>Head scores file (optional)</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>Methods</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Label (optional)</source>
        <translation>Label (optional)</translation>
    </message>
    <message>
        <source>Mode (optional)</source>
        <translation>Mode (optional)</translation>
    </message>
    <message>
        <source>Parameters (JSON)</source>
        <translation>Parameters (JSON)</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Task</translation>
    </message>
    <message>
        <source>Samples (optional)</source>
        <translation>Samples (optional)</translation>
    </message>
    <message>
        <source>Max new tokens (optional)</source>
        <translation>Max new tokens (optional)</translation>
    </message>
    <message>
        <source>Options (JSON)</source>
        <translation>Options (JSON)</translation>
    </message>
    <message>
        <source>Data folders</source>
        <translation>Data folders</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Folder</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>Decoding</translation>
    </message>
    <message>
        <source>Greedy decoding</source>
        <translation>Greedy decoding</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Max new tokens:</source>
        <translation>Max new tokens:</translation>
    </message>
    <message>
        <source>the task&apos;s default</source>
        <translation>the task&apos;s default</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>Temperature:</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p:</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k:</translation>
    </message>
    <message>
        <source>Parameters per method</source>
        <translation>Parameters per method</translation>
    </message>
    <message>
        <source>Head scores per model</source>
        <translation>Head scores per model</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Head scores file</source>
        <translation>Head scores file</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Add folder...</source>
        <translation>Add folder...</translation>
    </message>
    <message>
        <source>Choose folder...</source>
        <translation>Choose folder...</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <source>Estimate</source>
        <translation>Estimate</translation>
    </message>
    <message>
        <source>Dry run: plan and estimate</source>
        <translation>Dry run: plan and estimate</translation>
    </message>
    <message>
        <source>Parameters...</source>
        <translation>Parameters...</translation>
    </message>
    <message>
        <source>Edit the selected method&apos;s parameters as fields.</source>
        <translation>Edit the selected method&apos;s parameters as fields.</translation>
    </message>
    <message>
        <source>Select a method that has parameters. The JSON in the table can always be edited as text.</source>
        <translation>Select a method that has parameters. The JSON in the table can always be edited as text.</translation>
    </message>
</context>
<context>
    <name>hace::views::TokensRenderer</name>
    <message>
        <source>layer %1, KV head %2</source>
        <translation>layer %1, KV head %2</translation>
    </message>
    <message>
        <source>layer %1, every KV head</source>
        <translation>layer %1, every KV head</translation>
    </message>
    <message>
        <source>KV head %1 of every layer</source>
        <translation>KV head %1 of every layer</translation>
    </message>
    <message>
        <source>every layer and KV head</source>
        <translation>every layer and KV head</translation>
    </message>
    <message>
        <source>Kept tokens (%1)</source>
        <translation>Kept tokens (%1)</translation>
    </message>
    <message>
        <source>No kept positions stored for this sample</source>
        <translation>No kept positions stored for this sample</translation>
    </message>
    <message>
        <source>kept by %1 only</source>
        <translation>kept by %1 only</translation>
    </message>
    <message>
        <source>kept by both</source>
        <translation>kept by both</translation>
    </message>
    <message>
        <source>shade: share of segments that kept the token</source>
        <translation>shade: share of segments that kept the token</translation>
    </message>
    <message>
        <source>needle</source>
        <translation>needle</translation>
    </message>
    <message>
        <source>question (appended uncompressed)</source>
        <translation>question (appended uncompressed)</translation>
    </message>
    <message>
        <source>Token %1: &quot;%2&quot;</source>
        <translation>Token %1: &quot;%2&quot;</translation>
    </message>
    <message>
        <source>question, appended after compression</source>
        <translation>question, appended after compression</translation>
    </message>
    <message>
        <source>L%1: %2</source>
        <translation>L%1: %2</translation>
    </message>
    <message>
        <source>kept by %1 of %2 heads</source>
        <translation>kept by %1 of %2 heads</translation>
    </message>
</context>
</TS>
