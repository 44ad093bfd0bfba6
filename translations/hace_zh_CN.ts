<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>hace::gui::MainWindow</name>
    <message>
        <source>Cell %1</source>
        <translation>单元 %1</translation>
    </message>
    <message>
        <source>Open sweep</source>
        <translation>打开扫描配置</translation>
    </message>
    <message>
        <source>Open results</source>
        <translation>打开结果</translation>
    </message>
    <message>
        <source>Designer</source>
        <translation>实验设计</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Needle map</source>
        <translation>大海捞针图</translation>
    </message>
    <message>
        <source>Ablation</source>
        <translation>消融</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open sweep...</source>
        <translation>打开扫描配置(&amp;O)…</translation>
    </message>
    <message>
        <source>Recent sweeps</source>
        <translation>最近的扫描配置</translation>
    </message>
    <message>
        <source>&amp;Save sweep</source>
        <translation>保存扫描配置(&amp;S)</translation>
    </message>
    <message>
        <source>Save sweep &amp;as...</source>
        <translation>扫描配置另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Open &amp;results...</source>
        <translation>打开结果(&amp;R)…</translation>
    </message>
    <message>
        <source>Recent results</source>
        <translation>最近的结果</translation>
    </message>
    <message>
        <source>Re&amp;load results</source>
        <translation>重新加载结果(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Export figure...</source>
        <translation>导出图表(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Dry run</source>
        <translation>试运行(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation>暂停 / 继续(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open the e&amp;xample sweep</source>
        <translation>打开示例扫描(&amp;X)</translation>
    </message>
    <message>
        <source>The example sweep is not installed (looked for %1).</source>
        <translation>未安装示例扫描（已查找 %1）。</translation>
    </message>
    <message>
        <source>Example sweep loaded: Run &gt; Start stores its results in %1</source>
        <translation>示例扫描已载入：“运行 &gt; 开始”会把结果存入 %1</translation>
    </message>
    <message>
        <source>&amp;About HACE Workbench</source>
        <translation>关于 HACE Workbench(&amp;A)</translation>
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
        <translation>正在运行</translation>
    </message>
    <message>
        <source>A sweep is running. Stop it after the sample in flight and quit? What is stored stays; a resumed run continues from there.</source>
        <translation>扫描正在运行。是否在当前样本完成后停止并退出？已保存的结果会保留；恢复运行时将从该处继续。</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <source>Sweep specs (*.json);;All files (*)</source>
        <translation>扫描配置 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save sweep</source>
        <translation>保存扫描配置</translation>
    </message>
    <message>
        <source>Results (*.sqlite *.db);;All files (*)</source>
        <translation>结果 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>This view shows no figure to export.</source>
        <translation>此视图没有可导出的图表。</translation>
    </message>
    <message>
        <source>Start run</source>
        <translation>开始运行</translation>
    </message>
    <message>
        <source>The sweep has problems; the designer lists them.</source>
        <translation>扫描配置存在问题，请在实验设计页查看。</translation>
    </message>
    <message>
        <source>Choose a results database first.</source>
        <translation>请先选择结果数据库。</translation>
    </message>
    <message>
        <source>Run stopped; resume continues it.</source>
        <translation>运行已停止；恢复运行可从中断处继续。</translation>
    </message>
    <message>
        <source>Run finished.</source>
        <translation>运行完成。</translation>
    </message>
    <message>
        <source>Run failed: %1</source>
        <translation>运行失败：%1</translation>
    </message>
    <message>
        <source>About HACE Workbench</source>
        <translation>关于 HACE Workbench</translation>
    </message>
    <message>
        <source>&lt;b&gt;HACE Workbench %1&lt;/b&gt;&lt;p&gt;Sweeps of KV-cache compression methods: design, run, browse and plot.&lt;/p&gt;</source>
        <translation>&lt;b&gt;HACE Workbench %1&lt;/b&gt;&lt;p&gt;KV 缓存压缩方法的扫描实验：设计、运行、浏览与绘图。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>hace::kv::Params</name>
    <message>
        <source>token scorer, any under any allocator</source>
        <translation>词元评分器，可与任意分配器组合</translation>
    </message>
    <message>
        <source>observation window w: the last w queries score, the last min(w, C/2) tokens are always kept</source>
        <translation>观察窗口 w：由最后 w 个查询评分，最后 min(w, C/2) 个词元始终保留</translation>
    </message>
    <message>
        <source>pooling kernel of the scores (odd)</source>
        <translation>分数的池化核大小（奇数）</translation>
    </message>
    <message>
        <source>SEL-CAKE variance weight</source>
        <translation>SEL-CAKE 方差权重</translation>
    </message>
    <message>
        <source>PyramidKV beta: the last layer keeps B / beta</source>
        <translation>PyramidKV beta：最后一层保留 B / beta</translation>
    </message>
    <message>
        <source>CAKE entropy exponent tau1</source>
        <translation>CAKE 熵指数 tau1</translation>
    </message>
    <message>
        <source>CAKE variance exponent tau2</source>
        <translation>CAKE 方差指数 tau2</translation>
    </message>
    <message>
        <source>HeadKV beta: the share of the budget that head scores move</source>
        <translation>HeadKV beta：由头部分数调配的预算份额</translation>
    </message>
    <message>
        <source>temperature of the head scores</source>
        <translation>头部分数的温度</translation>
    </message>
    <message>
        <source>AdaKV safeguard: each head keeps alpha of its share</source>
        <translation>AdaKV 保底：每个头至少保留其份额的 alpha</translation>
    </message>
    <message>
        <source>AdaKV score normalisation (off in AdaKV&apos;s runs)</source>
        <translation>AdaKV 分数归一化（AdaKV 原始实验中关闭）</translation>
    </message>
    <message>
        <source>no eviction while decoding: SEL-CAKE&apos;s and TOVA&apos;s per-step eviction, H2O&apos;s accumulate-and-evict and StreamingLLM&apos;s rolling cache become one-shot at prefill</source>
        <translation>解码时不驱逐：SEL-CAKE 与 TOVA 的逐步驱逐、H2O 的累积驱逐和 StreamingLLM 的滚动缓存都改为仅在预填充时一次性压缩</translation>
    </message>
    <message>
        <source>attention sinks always kept (StreamingLLM, expected attention)</source>
        <translation>始终保留的注意力汇聚词元（StreamingLLM、期望注意力）</translation>
    </message>
    <message>
        <source>H2O recent tokens; heavy hitters = C - recent</source>
        <translation>H2O 近期词元数；重要词元数 = C - 近期词元数</translation>
    </message>
    <message>
        <source>seed of the random scorer</source>
        <translation>随机评分器的种子</translation>
    </message>
    <message>
        <source>store the kept entries KIVI-quantised: 2 or 4 bits</source>
        <translation>以 KIVI 量化存储保留的条目：2 或 4 比特</translation>
    </message>
    <message>
        <source>KIVI group size G (head_dim when smaller)</source>
        <translation>KIVI 分组大小 G（head_dim 更小时取 head_dim）</translation>
    </message>
    <message>
        <source>KIVI full-precision residual R, a multiple of G</source>
        <translation>KIVI 全精度残差长度 R，须为 G 的倍数</translation>
    </message>
    <message>
        <source>the method&apos;s own (faithful: the reference&apos;s)</source>
        <translation>方法自身的选择器（忠实模式：参考实现的选择器）</translation>
    </message>
    <message>
        <source>the selector&apos;s</source>
        <translation>选择器自身的值</translation>
    </message>
    <message>
        <source>CAKE&apos;s table for the model and C</source>
        <translation>按模型和 C 查 CAKE 的参数表</translation>
    </message>
    <message>
        <source>min(w, C/2)</source>
        <translation>min(w, C/2)</translation>
    </message>
    <message>
        <source>full precision (kivi: 2)</source>
        <translation>全精度（kivi：2 比特）</translation>
    </message>
</context>
<context>
    <name>hace::views::AblationView</name>
    <message>
        <source>Nothing to tabulate for this selection: %1</source>
        <translation>当前选择没有可列表的数据：%1</translation>
    </message>
    <message>
        <source>Cliff (within %1%)</source>
        <translation>性能悬崖（%1% 以内）</translation>
    </message>
    <message numerus="yes">
        <source>%n sample(s)</source>
        <translation>
            <numerusform>%n 个样本</numerusform>
        </translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>The full-cache score, for reference</source>
        <translation>完整缓存的得分，作为参考</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Copy table</source>
        <translation>复制表格</translation>
    </message>
    <message numerus="yes">
        <source>Each cell: mean %1 half of its 95% confidence interval, n = samples. Bold: better than every other method at that ratio on the same samples, significant at level %2 (paired sign-flip test, Holm-adjusted over %n comparison(s)).</source>
        <translation>
            <numerusform>每格：均值 %1 95% 置信区间的半宽，n 为样本数。粗体：在该保留比例下、相同样本上优于其他所有方法，且在显著性水平 %2 下显著（配对符号翻转检验，经 Holm 校正，共 %n 次比较）。</numerusform>
        </translation>
    </message>
    <message>
        <source>95% confidence interval: [%1, %2]</source>
        <translation>95% 置信区间：[%1, %2]</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>显著性水平：</translation>
    </message>
</context>
<context>
    <name>hace::views::CellTableModel</name>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>保留率</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Realised retention</source>
        <translation>实际保留率</translation>
    </message>
    <message>
        <source>ms / sample</source>
        <translation>毫秒 / 样本</translation>
    </message>
    <message numerus="yes">
        <source>Wilson score interval over %n sample(s) (0/1 metric)</source>
        <translation>
            <numerusform>基于 %n 个样本的 Wilson 得分区间（0/1 指标）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Percentile bootstrap over %n sample(s), 10000 resamples</source>
        <translation>
            <numerusform>基于 %n 个样本的百分位 bootstrap 区间（10000 次重抽样）</numerusform>
        </translation>
    </message>
    <message>
        <source>95% CI</source>
        <translation>95% 置信区间</translation>
    </message>
    <message>
        <source>%1 trials</source>
        <translation>%1 次试验</translation>
    </message>
    <message>
        <source>%1 accepted</source>
        <translation>接受 %1</translation>
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
        <translation>性能悬崖（%1 与完整缓存相差 %2% 以内）</translation>
    </message>
    <message>
        <source>fails at every ratio</source>
        <translation>所有比例下均不达标</translation>
    </message>
    <message>
        <source>no full-cache result</source>
        <translation>无完整缓存结果</translation>
    </message>
    <message>
        <source>No results with a retention ratio</source>
        <translation>没有带保留率的结果</translation>
    </message>
    <message>
        <source>Lowest retention within tolerance</source>
        <translation>达标的最低保留率</translation>
    </message>
</context>
<context>
    <name>hace::views::ComparisonView</name>
    <message>
        <source>Left:</source>
        <translation>左：</translation>
    </message>
    <message>
        <source>Right:</source>
        <translation>右：</translation>
    </message>
    <message>
        <source>Statistic:</source>
        <translation>统计量：</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Right - left</source>
        <translation>右 - 左</translation>
    </message>
    <message>
        <source>Choose a cell with per-head statistics.</source>
        <translation>请选择一个带有逐头统计的单元。</translation>
    </message>
    <message>
        <source>95% CI of the difference</source>
        <translation>差值的 95% 置信区间</translation>
    </message>
    <message>
        <source>p (Holm)</source>
        <translation>p 值（Holm 校正）</translation>
    </message>
    <message>
        <source>Common samples</source>
        <translation>共同样本数</translation>
    </message>
    <message>
        <source>Differences over the samples both cells hold (paired by sample id); p: two-sided sign-flip permutation test, Holm-adjusted over the listed metrics. A value is bold only when its lead is significant at 0.05.</source>
        <translation>差值基于两个单元共有的样本（按样本 ID 配对）计算；p：双侧符号翻转置换检验，对所列指标做 Holm 校正。仅当领先在 0.05 水平下显著时，数值才以粗体显示。</translation>
    </message>
</context>
<context>
    <name>hace::views::CurveRenderer</name>
    <message>
        <source>%1 vs. KV retention</source>
        <translation>%1 与 KV 保留率</translation>
    </message>
    <message>
        <source>KV cache retention</source>
        <translation>KV 缓存保留率</translation>
    </message>
    <message>
        <source>Cliff (within %1% of full)</source>
        <translation>性能悬崖（与完整缓存相差 %1% 以内）</translation>
    </message>
    <message>
        <source>No results with a retention ratio</source>
        <translation>没有带保留率的结果</translation>
    </message>
    <message>
        <source>Error bars: 95% confidence interval</source>
        <translation>误差线：95% 置信区间</translation>
    </message>
    <message>
        <source>%1 vs. KV budget</source>
        <translation>%1 与 KV 预算</translation>
    </message>
    <message>
        <source>KV cache budget (tokens per head)</source>
        <translation>KV 缓存预算（每头 token 数）</translation>
    </message>
</context>
<context>
    <name>hace::views::CurvesView</name>
    <message>
        <source>Nothing to draw for this selection: %1</source>
        <translation>当前选择没有可绘制的数据：%1</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Cliff tolerance:</source>
        <translation>悬崖容差：</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Cliff bars</source>
        <translation>悬崖条形图</translation>
    </message>
    <message>
        <source>Export...</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Open a results database to see retention-performance curves.</source>
        <translation>打开结果数据库以查看保留率-性能曲线。</translation>
    </message>
</context>
<context>
    <name>hace::views::ExportDialog</name>
    <message>
        <source>Export figure</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)</source>
        <translation>PDF (*.pdf);;SVG (*.svg);;PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>%1 x %2 in (%3 x %4 mm)</source>
        <translation>%1 x %2 英寸（%3 x %4 毫米）</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>宽度：</translation>
    </message>
    <message>
        <source>Single column (3.5 in)</source>
        <translation>单栏（3.5 英寸）</translation>
    </message>
    <message>
        <source>Double column (7.16 in)</source>
        <translation>双栏（7.16 英寸）</translation>
    </message>
    <message>
        <source>PNG resolution:</source>
        <translation>PNG 分辨率：</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation>字号：</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <source>Title line</source>
        <translation>标题行</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>hace::views::FigureExport</name>
    <message>
        <source>resolution %1 dpi is outside 36..2400</source>
        <translation>分辨率 %1 dpi 超出 36..2400 的范围</translation>
    </message>
    <message>
        <source>cannot write the PNG file</source>
        <translation>无法写入 PNG 文件</translation>
    </message>
    <message>
        <source>cannot write the PDF file</source>
        <translation>无法写入 PDF 文件</translation>
    </message>
    <message>
        <source>cannot write the SVG file</source>
        <translation>无法写入 SVG 文件</translation>
    </message>
</context>
<context>
    <name>hace::views::FigureView</name>
    <message>
        <source>Export figure...</source>
        <translation>导出图表…</translation>
    </message>
</context>
<context>
    <name>hace::views::HeatmapRenderer</name>
    <message>
        <source>%1 per head</source>
        <translation>每个头的%1</translation>
    </message>
    <message>
        <source>No per-head statistics</source>
        <translation>没有逐头统计</translation>
    </message>
    <message>
        <source>KV head</source>
        <translation>KV 头</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
</context>
<context>
    <name>hace::views::HivRenderer</name>
    <message>
        <source>Head importance variance test (HIV)</source>
        <translation>头重要性方差检验（HIV）</translation>
    </message>
</context>
<context>
    <name>hace::views::KeptTokensPanel</name>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>All layers</source>
        <translation>所有层</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>所有头</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <source>KV head:</source>
        <translation>KV 头：</translation>
    </message>
    <message>
        <source>No kept positions stored for this sample (run the sweep with &quot;store_kept&quot;: true).</source>
        <translation>此样本未存储保留位置（请以 &quot;store_kept&quot;: true 运行实验）。</translation>
    </message>
</context>
<context>
    <name>hace::views::Labels</name>
    <message>
        <source>Full cache</source>
        <translation>完整缓存</translation>
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
        <translation>HACE（仅层级）</translation>
    </message>
    <message>
        <source>HACE (head only)</source>
        <translation>HACE（仅头级）</translation>
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
        <translation>MultiFieldQA（英文）</translation>
    </message>
    <message>
        <source>MultiFieldQA (zh)</source>
        <translation>MultiFieldQA（中文）</translation>
    </message>
    <message>
        <source>Needle in a haystack</source>
        <translation>大海捞针</translation>
    </message>
    <message>
        <source>Needle task</source>
        <translation>捞针任务</translation>
    </message>
    <message>
        <source>Head importance test</source>
        <translation>注意力头重要性测试</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>QA F1</source>
        <translation>问答 F1</translation>
    </message>
    <message>
        <source>QA F1 (zh)</source>
        <translation>问答 F1（中文）</translation>
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
        <translation>精确匹配</translation>
    </message>
    <message>
        <source>Keyword recall</source>
        <translation>关键词召回率</translation>
    </message>
    <message>
        <source>Token agreement</source>
        <translation>词元一致率</translation>
    </message>
    <message>
        <source>First divergence</source>
        <translation>首次分歧位置</translation>
    </message>
    <message>
        <source>ROUGE-L vs. full</source>
        <translation>与完整缓存的 ROUGE-L</translation>
    </message>
    <message>
        <source>KL vs. full</source>
        <translation>与完整缓存的 KL 散度</translation>
    </message>
    <message>
        <source>Cache efficiency</source>
        <translation>缓存效率</translation>
    </message>
    <message>
        <source>Head specialization</source>
        <translation>头专精度</translation>
    </message>
    <message>
        <source>Head Gini</source>
        <translation>头基尼系数</translation>
    </message>
    <message>
        <source>Kept entries</source>
        <translation>保留条目数</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>Head importance</source>
        <translation>头重要性</translation>
    </message>
    <message>
        <source>Attention entropy</source>
        <translation>注意力熵</translation>
    </message>
    <message>
        <source>Attention variance</source>
        <translation>注意力方差</translation>
    </message>
    <message>
        <source>%1 (faithful)</source>
        <translation>%1（忠实复现）</translation>
    </message>
    <message>
        <source>Needle exact match</source>
        <translation>捞针精确匹配</translation>
    </message>
    <message>
        <source>ROUGE-1 (x10)</source>
        <translation>ROUGE-1（x10）</translation>
    </message>
    <message>
        <source>Trials</source>
        <translation>试验次数</translation>
    </message>
    <message>
        <source>Accepted trials</source>
        <translation>接受的试验次数</translation>
    </message>
    <message>
        <source>Acceptance rate</source>
        <translation>接受率</translation>
    </message>
    <message>
        <source>Split-half Spearman</source>
        <translation>折半 Spearman 相关</translation>
    </message>
    <message>
        <source>Short-long Spearman</source>
        <translation>短长 Spearman 相关</translation>
    </message>
    <message>
        <source>Mean dispersion</source>
        <translation>平均离散度</translation>
    </message>
    <message>
        <source>Mean normalised entropy</source>
        <translation>平均归一化熵</translation>
    </message>
    <message>
        <source>Coefficient of variation</source>
        <translation>变异系数</translation>
    </message>
    <message>
        <source>Importance variance across trials</source>
        <translation>重要性在各次试验间的方差</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>K-norm</source>
        <translation>K 范数</translation>
    </message>
    <message>
        <source>TOVA</source>
        <translation>TOVA</translation>
    </message>
    <message>
        <source>Expected Attention</source>
        <translation>期望注意力</translation>
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
        <translation>最后 32 个查询注意力的均值 + 200 × 方差，平均池化；解码时逐步驱逐</translation>
    </message>
    <message>
        <source>Mean attention of the last 8 queries, max pooled</source>
        <translation>最后 8 个查询的平均注意力，最大池化</translation>
    </message>
    <message>
        <source>Seeded random scores: the floor every comparison needs</source>
        <translation>按种子生成的随机分数：所有比较都需要的下限基线</translation>
    </message>
    <message>
        <source>Keeps the keys with the lowest L2 norm</source>
        <translation>保留 L2 范数最小的键</translation>
    </message>
    <message>
        <source>Attention of the newest query; evicts the lowest entry at every decode step</source>
        <translation>最新查询的注意力；每个解码步驱逐得分最低的条目</translation>
    </message>
    <message>
        <source>Attention expected from future queries (a Gaussian fitted to the last queries), times the value norm</source>
        <translation>未来查询的期望注意力（对最后若干查询拟合的高斯分布）乘以值向量范数</translation>
    </message>
</context>
<context>
    <name>hace::views::NeedleRenderer</name>
    <message>
        <source>Needle in a haystack</source>
        <translation>大海捞针</translation>
    </message>
    <message>
        <source>No needle results</source>
        <translation>没有捞针结果</translation>
    </message>
    <message>
        <source>Context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>Needle depth (%)</source>
        <translation>针的深度（%）</translation>
    </message>
    <message>
        <source>Needle in a haystack (mean %1: %2)</source>
        <translation>大海捞针（平均%1：%2）</translation>
    </message>
</context>
<context>
    <name>hace::views::NeedleView</name>
    <message>
        <source>Nothing to draw for this selection: %1</source>
        <translation>当前选择没有可绘制的数据：%1</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>Retention:</source>
        <translation>保留率：</translation>
    </message>
    <message>
        <source>Export...</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Open a results database with needle-in-a-haystack cells to see the map.</source>
        <translation>打开包含大海捞针单元的结果数据库以查看该图。</translation>
    </message>
</context>
<context>
    <name>hace::views::ParamEditor</name>
    <message>
        <source>Parameters of %1</source>
        <translation>%1 的参数</translation>
    </message>
    <message>
        <source>The parameters are not a JSON object (%1); OK replaces them with the fields below.</source>
        <translation>参数不是 JSON 对象（%1）；点击“确定”会用下方的字段替换它们。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Parameter&lt;/b&gt;</source>
        <translation>&lt;b&gt;参数&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Value&lt;/b&gt;</source>
        <translation>&lt;b&gt;取值&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Default&lt;/b&gt;</source>
        <translation>&lt;b&gt;默认&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Mode&lt;/b&gt;</source>
        <translation>&lt;b&gt;模式&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Not parameters of this method (kept as they are; the validation reports them): %1</source>
        <translation>不属于该方法的参数（原样保留，由校验报告）：%1</translation>
    </message>
    <message>
        <source>All defaults</source>
        <translation>全部恢复默认</translation>
    </message>
    <message>
        <source>equal only</source>
        <translation>仅 equal 模式</translation>
    </message>
    <message>
        <source>faithful only</source>
        <translation>仅 faithful 模式</translation>
    </message>
    <message>
        <source>both modes</source>
        <translation>两种模式</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>默认：%1</translation>
    </message>
    <message>
        <source>Leave the key out: the method&apos;s own default applies.</source>
        <translation>不写入该键：采用方法自身的默认值。</translation>
    </message>
    <message>
        <source>Not read in the %1 mode this method runs in.</source>
        <translation>该方法运行的 %1 模式不读取此参数。</translation>
    </message>
    <message>
        <source>(read only by a selector that uses it)</source>
        <translation>（仅由使用它的选择器读取）</translation>
    </message>
    <message>
        <source>%1. Default: %2.</source>
        <translation>%1。默认：%2。</translation>
    </message>
    <message>
        <source>The JSON has %1 here (%2); it is kept until you change this field.</source>
        <translation>JSON 中此处为 %1（%2）；在修改此字段之前将原样保留。</translation>
    </message>
    <message>
        <source>more than this field can show</source>
        <translation>超出此字段可显示的范围</translation>
    </message>
</context>
<context>
    <name>hace::views::ResultsBrowser</name>
    <message>
        <source>All tasks</source>
        <translation>全部任务</translation>
    </message>
    <message>
        <source>All methods</source>
        <translation>全部方法</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>任意状态</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>No results database open (File &gt; Open results...).</source>
        <translation>尚未打开结果数据库（文件 &gt; 打开结果…）。</translation>
    </message>
    <message>
        <source>%1: %2 cells, %3 samples</source>
        <translation>%1：%2 个单元，%3 个样本</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>References</source>
        <translation>参考答案</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Prompt %1 tokens, output %2 tokens; prefill %3 ms, decode %4 ms, total %5 ms</source>
        <translation>提示 %1 个词元，输出 %2 个词元；预填充 %3 毫秒，解码 %4 毫秒，总计 %5 毫秒</translation>
    </message>
    <message>
        <source>Realised retention %1</source>
        <translation>实际保留率 %1</translation>
    </message>
    <message>
        <source>Filter: model, method, task or cell hash</source>
        <translation>筛选：模型、方法、任务或单元哈希</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Sample id</source>
        <translation>样本编号</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>提示词元数</translation>
    </message>
    <message>
        <source>Select a sample with per-head statistics to see its heatmap.</source>
        <translation>选择一个带有逐头统计的样本以查看其热图。</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>热力图</translation>
    </message>
    <message>
        <source>Kept tokens</source>
        <translation>保留的 token</translation>
    </message>
</context>
<context>
    <name>hace::views::RunMonitor</name>
    <message>
        <source>Results database</source>
        <translation>结果数据库</translation>
    </message>
    <message>
        <source>Results (*.sqlite *.db);;All files (*)</source>
        <translation>结果 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1 of %2 samples (%3 skipped, %4 failed)</source>
        <translation>%1 / %2 个样本（跳过 %3，失败 %4）</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>预计剩余 %1</translation>
    </message>
    <message>
        <source>ETA unknown</source>
        <translation>剩余时间未知</translation>
    </message>
    <message>
        <source>worker queue: %1</source>
        <translation>工作队列：%1</translation>
    </message>
    <message>
        <source>Jobs queued or running on the CPU worker pool beside the model: scoring finished samples and building the next ones</source>
        <translation>模型旁 CPU 工作线程池中排队或正在运行的任务：为已完成的样本评分并构建后续样本</translation>
    </message>
    <message>
        <source>Elapsed %1, stage: %2</source>
        <translation>已用 %1，阶段：%2</translation>
    </message>
    <message>
        <source>cell %1 of %2: %v of %m samples</source>
        <translation>单元 %1 / %2：%v / %m 个样本</translation>
    </message>
    <message numerus="yes">
        <source>... %n log line(s) skipped</source>
        <translation>
            <numerusform>… 跳过了 %n 行日志</numerusform>
        </translation>
    </message>
    <message>
        <source>warning: </source>
        <translation>警告：</translation>
    </message>
    <message>
        <source>run failed: %1</source>
        <translation>运行失败：%1</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Current cell: %1, %2, %3 tokens, %4</source>
        <translation>当前单元：%1，%2，%3 个词元，%4</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>This build cannot run sweeps</source>
        <translation>此版本无法运行扫描</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Paused (after the sample in flight)</source>
        <translation>已暂停（当前样本完成后）</translation>
    </message>
    <message>
        <source>Cancelling after the sample in flight...</source>
        <translation>将在当前样本完成后取消…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Results database:</source>
        <translation>结果数据库：</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Resume: skip samples already stored</source>
        <translation>恢复：跳过已保存的样本</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Task / context</source>
        <translation>任务 / 上下文</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>保留率</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Live heatmap: kept entries per head</source>
        <translation>实时热图：每个头的保留条目数</translation>
    </message>
    <message>
        <source>Live heatmap: budget per head</source>
        <translation>实时热图：每个头的预算</translation>
    </message>
    <message>
        <source>The heatmap of the sample in flight appears here during a run.</source>
        <translation>运行时，这里显示当前样本的热图。</translation>
    </message>
    <message>
        <source>No run yet</source>
        <translation>尚未运行</translation>
    </message>
</context>
<context>
    <name>hace::views::SpecDesigner</name>
    <message>
        <source>Model folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>No problems: the sweep can run.</source>
        <translation>没有问题：扫描可以运行。</translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) must be fixed before the sweep can run.</source>
        <translation>
            <numerusform>运行扫描前需修正 %n 个问题。</numerusform>
        </translation>
    </message>
    <message>
        <source>Fix the problems first.</source>
        <translation>请先修正问题。</translation>
    </message>
    <message>
        <source>No planner available.</source>
        <translation>没有可用的规划器。</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>扫描</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>描述：</translation>
    </message>
    <message>
        <source>Context lengths:</source>
        <translation>上下文长度：</translation>
    </message>
    <message>
        <source>tokens, comma separated, e.g. 4096, 8192</source>
        <translation>词元数，以逗号分隔，例如 4096, 8192</translation>
    </message>
    <message>
        <source>Retention ratios:</source>
        <translation>保留率：</translation>
    </message>
    <message>
        <source>fractions in (0, 1], e.g. 0.005, 0.01, 0.05</source>
        <translation>(0, 1] 之间的比例，例如 0.005, 0.01, 0.05</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Samples decoded together (same results); auto: the most that fit in memory, %1% kept free</source>
        <translation>一起解码的样本数（结果相同）；自动：内存能容纳的最大数量，保留 %1% 空闲</translation>
    </message>
    <message>
        <source>Samples per task:</source>
        <translation>每个任务的样本数：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <source>equal: the equal-budget readings; faithful: each reference implementation&apos;s own rules</source>
        <translation>equal：等预算解读；faithful：各参考实现自身的规则</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Head scores file (optional)</source>
        <translation>头得分文件（可选）</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Label (optional)</source>
        <translation>标签（可选）</translation>
    </message>
    <message>
        <source>Mode (optional)</source>
        <translation>模式（可选）</translation>
    </message>
    <message>
        <source>Parameters (JSON)</source>
        <translation>参数（JSON）</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Samples (optional)</source>
        <translation>样本数（可选）</translation>
    </message>
    <message>
        <source>Max new tokens (optional)</source>
        <translation>最大生成词元数（可选）</translation>
    </message>
    <message>
        <source>Options (JSON)</source>
        <translation>选项（JSON）</translation>
    </message>
    <message>
        <source>Data folders</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>Greedy decoding</source>
        <translation>贪心解码</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Max new tokens:</source>
        <translation>最大生成词元数：</translation>
    </message>
    <message>
        <source>the task&apos;s default</source>
        <translation>任务的默认值</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k：</translation>
    </message>
    <message>
        <source>Parameters per method</source>
        <translation>各方法的参数</translation>
    </message>
    <message>
        <source>Head scores per model</source>
        <translation>各模型的头得分</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Head scores file</source>
        <translation>头得分文件</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Add folder...</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Choose folder...</source>
        <translation>选择文件夹…</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Estimate</source>
        <translation>估算</translation>
    </message>
    <message>
        <source>Dry run: plan and estimate</source>
        <translation>试运行：规划并估算</translation>
    </message>
    <message>
        <source>Parameters...</source>
        <translation>参数…</translation>
    </message>
    <message>
        <source>Edit the selected method&apos;s parameters as fields.</source>
        <translation>以字段形式编辑所选方法的参数。</translation>
    </message>
    <message>
        <source>Select a method that has parameters. The JSON in the table can always be edited as text.</source>
        <translation>请选择一个有参数的方法。表格中的 JSON 始终可以作为文本直接编辑。</translation>
    </message>
</context>
<context>
    <name>hace::views::TokensRenderer</name>
    <message>
        <source>layer %1, KV head %2</source>
        <translation>第 %1 层，KV 头 %2</translation>
    </message>
    <message>
        <source>layer %1, every KV head</source>
        <translation>第 %1 层，所有 KV 头</translation>
    </message>
    <message>
        <source>KV head %1 of every layer</source>
        <translation>各层的 KV 头 %1</translation>
    </message>
    <message>
        <source>every layer and KV head</source>
        <translation>所有层与 KV 头</translation>
    </message>
    <message>
        <source>Kept tokens (%1)</source>
        <translation>保留的 token（%1）</translation>
    </message>
    <message>
        <source>No kept positions stored for this sample</source>
        <translation>此样本未存储保留位置</translation>
    </message>
    <message>
        <source>kept by %1 only</source>
        <translation>仅 %1 保留</translation>
    </message>
    <message>
        <source>kept by both</source>
        <translation>两者都保留</translation>
    </message>
    <message>
        <source>shade: share of segments that kept the token</source>
        <translation>深浅：保留该 token 的段所占比例</translation>
    </message>
    <message>
        <source>needle</source>
        <translation>针</translation>
    </message>
    <message>
        <source>question (appended uncompressed)</source>
        <translation>问题（未压缩，追加）</translation>
    </message>
    <message>
        <source>Token %1: &quot;%2&quot;</source>
        <translation>Token %1：“%2”</translation>
    </message>
    <message>
        <source>question, appended after compression</source>
        <translation>问题，压缩后追加</translation>
    </message>
    <message>
        <source>L%1: %2</source>
        <translation>L%1：%2</translation>
    </message>
    <message>
        <source>kept by %1 of %2 heads</source>
        <translation>%2 个头中有 %1 个保留</translation>
    </message>
</context>
</TS>
