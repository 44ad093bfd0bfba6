#include "app/gui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <exception>

#include "app/gui/example_sweep.h"
#include "app/gui/recent_files.h"
#include "views/common/language.h"
#include "views/designer/spec_designer.h"
#include "views/monitor/run_monitor.h"
#include "views/results/ablation_view.h"
#include "views/results/comparison_view.h"
#include "views/results/curves_view.h"
#include "views/results/needle_view.h"
#include "views/results/results_browser.h"
#include "views/results/results_source.h"
#include "views/run/run_controller.h"
#include "views/widgets/figure_view.h"

namespace hace::gui {

MainWindow::MainWindow(views::SpecServices services, views::RunnerFactory runners, QWidget* parent)
    : QMainWindow(parent) {
    setObjectName(QStringLiteral("MainWindow"));
    controller_ = new views::RunController(std::move(runners), this);
    source_ = new views::ResultsSource(this);
    designer_ = new views::SpecDesigner(this);
    designer_->setServices(std::move(services));
    monitor_ = new views::RunMonitor(controller_, this);
    browser_ = new views::ResultsBrowser(source_, this);
    curves_ = new views::CurvesView(source_, this);
    needle_ = new views::NeedleView(source_, this);
    ablation_ = new views::AblationView(source_, this);
    comparison_ = new views::ComparisonView(source_, this);
    tabs_ = new QTabWidget(this);
    for (QWidget* w : std::initializer_list<QWidget*>{designer_, monitor_, browser_, curves_,
                                                      needle_, ablation_, comparison_}) {
        tabs_->addTab(w, QString());
    }
    setCentralWidget(tabs_);
    log_ = new QPlainTextEdit(this);
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    monitor_->setLogView(log_);
    logDock_ = new QDockWidget(this);
    logDock_->setObjectName(QStringLiteral("LogDock"));
    logDock_->setWidget(log_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);
    reloadTimer_ = new QTimer(this);
    reloadTimer_->setSingleShot(true);
    reloadTimer_->setInterval(1000);  // results views refresh at most once a second during a run
    connect(reloadTimer_, &QTimer::timeout, source_, &views::ResultsSource::reload);

    buildMenus();
    connect(monitor_, &views::RunMonitor::startRequested, this, &MainWindow::startRun);
    connect(monitor_, &views::RunMonitor::samplesStored, this, &MainWindow::onSamplesStored);
    connect(controller_, &views::RunController::runEnded, this, &MainWindow::onRunEnded);
    connect(controller_, &views::RunController::stateChanged, this, [this] {
        const bool active = controller_->isActive();
        startAction_->setEnabled(!active && controller_->canRun());
        pauseAction_->setEnabled(active);
        cancelAction_->setEnabled(active);
    });
    connect(designer_, &views::SpecDesigner::fileNameChanged, this, &MainWindow::updateTitle);
    connect(browser_, &views::ResultsBrowser::cellSelected, this, [this](const QString& hash) {
        statusBar()->showMessage(tr("Cell %1").arg(hash.left(12)), 3000);
    });
    retranslate();
    restoreLayout();
    startAction_->setEnabled(controller_->canRun());
    pauseAction_->setEnabled(false);
    cancelAction_->setEnabled(false);
}

MainWindow::~MainWindow() = default;

QStringList MainWindow::tabIds() {
    return {QStringLiteral("designer"), QStringLiteral("monitor"), QStringLiteral("results"),
            QStringLiteral("curves"),   QStringLiteral("needle"),  QStringLiteral("ablation"),
            QStringLiteral("compare")};
}

bool MainWindow::showTab(const QString& id) {
    const int i = static_cast<int>(tabIds().indexOf(id));
    if (i < 0) return false;
    tabs_->setCurrentIndex(i);
    return true;
}

void MainWindow::buildMenus() {
    fileMenu_ = menuBar()->addMenu(QString());
    openSpecAction_ = fileMenu_->addAction(QString(), this, &MainWindow::openSpecDialog);
    openSpecAction_->setShortcut(QKeySequence::Open);
    openExampleAction_ = fileMenu_->addAction(QString(), this, [this] {
        QString error;
        if (!openExampleSweep(&error)) QMessageBox::warning(this, tr("Open sweep"), error);
    });
    recentSpecMenu_ = fileMenu_->addMenu(QString());
    saveSpecAction_ = fileMenu_->addAction(QString(), this, [this] { saveSpec(false); });
    saveSpecAction_->setShortcut(QKeySequence::Save);
    saveSpecAsAction_ = fileMenu_->addAction(QString(), this, [this] { saveSpec(true); });
    fileMenu_->addSeparator();
    openResultsAction_ = fileMenu_->addAction(QString(), this, &MainWindow::openResultsDialog);
    recentDbMenu_ = fileMenu_->addMenu(QString());
    reloadAction_ = fileMenu_->addAction(QString(), source_, &views::ResultsSource::reload);
    reloadAction_->setShortcut(QKeySequence::Refresh);
    exportAction_ = fileMenu_->addAction(QString(), this, &MainWindow::exportCurrentFigure);
    fileMenu_->addSeparator();
    quitAction_ = fileMenu_->addAction(QString(), this, &QWidget::close);
    quitAction_->setShortcut(QKeySequence::Quit);

    runMenu_ = menuBar()->addMenu(QString());
    dryRunAction_ = runMenu_->addAction(QString(), this, [this] {
        showTab(QStringLiteral("designer"));
        designer_->dryRun();
    });
    startAction_ = runMenu_->addAction(QString(), this, &MainWindow::startRun);
    pauseAction_ = runMenu_->addAction(QString(), this, [this] {
        if (controller_->state() == views::RunController::State::Paused)
            controller_->resume();
        else
            controller_->pause();
    });
    cancelAction_ = runMenu_->addAction(QString(), controller_, &views::RunController::cancel);

    viewMenu_ = menuBar()->addMenu(QString());
    viewMenu_->addAction(logDock_->toggleViewAction());
    languageMenu_ = menuBar()->addMenu(QString());
    languages_ = new QActionGroup(this);
    for (const QString& code : views::Language::shipped()) {
        auto* a = languageMenu_->addAction(views::Language::nativeName(code));
        a->setCheckable(true);
        a->setData(code);
        languages_->addAction(a);
        connect(a, &QAction::triggered, this, [this, code] { switchLanguage(code); });
    }
    helpMenu_ = menuBar()->addMenu(QString());
    aboutAction_ = helpMenu_->addAction(QString(), this, &MainWindow::about);

    recentSpecs_ = new RecentFiles(QStringLiteral("recent/specs"), recentSpecMenu_, this);
    recentDatabases_ = new RecentFiles(QStringLiteral("recent/databases"), recentDbMenu_, this);
    connect(recentSpecs_, &RecentFiles::chosen, this, [this](const QString& p) {
        QString error;
        if (!openSpec(p, &error)) QMessageBox::warning(this, tr("Open sweep"), error);
    });
    connect(recentDatabases_, &RecentFiles::chosen, this, [this](const QString& p) {
        QString error;
        if (!openResults(p, &error)) QMessageBox::warning(this, tr("Open results"), error);
    });
}

void MainWindow::retranslate() {
    const QStringList titles = {tr("Designer"),   tr("Run"),      tr("Results"), tr("Curves"),
                                tr("Needle map"), tr("Ablation"), tr("Compare")};
    for (int i = 0; i < titles.size(); ++i) tabs_->setTabText(i, titles[i]);
    logDock_->setWindowTitle(tr("Log"));
    fileMenu_->setTitle(tr("&File"));
    openSpecAction_->setText(tr("&Open sweep..."));
    openExampleAction_->setText(tr("Open the e&xample sweep"));
    recentSpecMenu_->setTitle(tr("Recent sweeps"));
    saveSpecAction_->setText(tr("&Save sweep"));
    saveSpecAsAction_->setText(tr("Save sweep &as..."));
    openResultsAction_->setText(tr("Open &results..."));
    recentDbMenu_->setTitle(tr("Recent results"));
    reloadAction_->setText(tr("Re&load results"));
    exportAction_->setText(tr("&Export figure..."));
    quitAction_->setText(tr("&Quit"));
    runMenu_->setTitle(tr("&Run"));
    dryRunAction_->setText(tr("&Dry run"));
    startAction_->setText(tr("&Start"));
    pauseAction_->setText(tr("&Pause / resume"));
    cancelAction_->setText(tr("&Cancel"));
    viewMenu_->setTitle(tr("&View"));
    languageMenu_->setTitle(tr("&Language"));
    helpMenu_->setTitle(tr("&Help"));
    aboutAction_->setText(tr("&About HACE Workbench"));
    for (QAction* a : languages_->actions())
        a->setChecked(a->data().toString() == views::Language::current());
    updateTitle();
}

void MainWindow::updateTitle() {
    const QString file = designer_->fileName();
    setWindowTitle(file.isEmpty() ? tr("HACE Workbench")
                                  : tr("%1 - HACE Workbench").arg(QFileInfo(file).fileName()));
}

void MainWindow::switchLanguage(const QString& code) {
    if (!views::Language::install(code)) return;
    QSettings().setValue(QStringLiteral("language"), code);
    // Qt posts LanguageChange to every window; delivering it now retranslates before this
    // returns. The figures read their labels again when repainted.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LanguageChange);
    for (QWidget* w : QApplication::allWidgets()) w->update();
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::restoreLayout() {
    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 800);
    if (!restoreState(s.value(QStringLiteral("window/state")).toByteArray())) {
        // First start: a slim log (docks take their sizes once the window is laid out).
        QTimer::singleShot(0, this, [this] { resizeDocks({logDock_}, {130}, Qt::Vertical); });
    }
    tabs_->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
}

void MainWindow::saveLayout() {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (controller_->isActive()) {
        const auto answer = QMessageBox::question(
            this, tr("Run in progress"),
            tr("A sweep is running. Stop it after the sample in flight and quit? What is stored "
               "stays; a resumed run continues from there."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        controller_->cancel();
    }
    saveLayout();
    event->accept();
}

bool MainWindow::openSpec(const QString& path, QString* error) {
    try {
        designer_->loadFile(path);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    recentSpecs_->add(path);
    const QFileInfo info(path);
    if (monitor_->database().isEmpty()) {
        setRunDatabase(info.dir().filePath(info.completeBaseName() + QStringLiteral(".sqlite")));
    }
    return true;
}

bool MainWindow::openExampleSweep(QString* error) {
    const QString path = exampleSweepPath();
    if (path.isEmpty()) {
        if (error) {
            *error = tr("The example sweep is not installed (looked for %1).")
                         .arg(exampleSweepCandidates().join(QStringLiteral(", ")));
        }
        return false;
    }
    if (!openSpec(path, error)) return false;
    const QString db = exampleResultsPath();
    setRunDatabase(db);
    showTab(QStringLiteral("designer"));
    statusBar()->showMessage(
        tr("Example sweep loaded: Run > Start stores its results in %1").arg(db));
    return true;
}

bool MainWindow::openResults(const QString& path, QString* error) {
    QString why;
    if (!source_->open(path, &why)) {
        if (error) *error = why;
        return false;
    }
    recentDatabases_->add(path);
    statusBar()->showMessage(tr("Opened %1").arg(path), 4000);
    return true;
}

void MainWindow::setRunDatabase(const QString& path) {
    monitor_->setDatabase(path);
}

void MainWindow::openSpecDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open sweep"), QString(),
                                                      tr("Sweep specs (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openSpec(path, &error)) QMessageBox::warning(this, tr("Open sweep"), error);
}

void MainWindow::saveSpec(bool askName) {
    QString path = designer_->fileName();
    if (askName || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save sweep"), path,
                                            tr("Sweep specs (*.json);;All files (*)"));
        if (path.isEmpty()) return;
    }
    try {
        designer_->saveFile(path);
        recentSpecs_->add(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Save sweep"), QString::fromStdString(e.what()));
    }
}

void MainWindow::openResultsDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open results"), QString(),
                                                      tr("Results (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openResults(path, &error)) QMessageBox::warning(this, tr("Open results"), error);
}

void MainWindow::exportCurrentFigure() {
    // The figure of the current tab, if it shows one.
    QWidget* page = tabs_->currentWidget();
    const auto views = page->findChildren<views::FigureView*>();
    for (auto* v : views) {
        if (v->figure()) {
            v->exportFigure();
            return;
        }
    }
    QMessageBox::information(this, tr("Export figure"), tr("This view shows no figure to export."));
}

bool MainWindow::startRun() {
    if (controller_->isActive()) return false;
    designer_->validateNow();
    if (!designer_->isValid()) {
        showTab(QStringLiteral("designer"));
        QMessageBox::warning(this, tr("Start run"),
                             tr("The sweep has problems; the designer lists them."));
        return false;
    }
    if (monitor_->database().trimmed().isEmpty()) {
        showTab(QStringLiteral("monitor"));
        QMessageBox::warning(this, tr("Start run"), tr("Choose a results database first."));
        return false;
    }
    views::RunRequest request;
    request.spec = designer_->spec();
    request.baseDir = designer_->baseDir();
    request.specFile = designer_->fileName().toStdString();
    request.db = monitor_->database().trimmed().toStdString();
    request.resume = monitor_->resumeRequested();
    log_->clear();
    if (!controller_->start(request)) return false;
    showTab(QStringLiteral("monitor"));
    return true;
}

void MainWindow::onSamplesStored() {
    const QString db = monitor_->database().trimmed();
    if (source_->path() != db) {
        QString ignored;
        openResults(db, &ignored);  // the run has just created it
        return;
    }
    if (!reloadTimer_->isActive()) reloadTimer_->start();
}

void MainWindow::onRunEnded(const views::RunFinished& end) {
    reloadTimer_->stop();
    const QString db = monitor_->database().trimmed();
    if (source_->path() == db) {
        source_->reload();
    } else {
        QString ignored;
        openResults(db, &ignored);
    }
    if (end.ok) {
        statusBar()->showMessage(
            end.cancelled ? tr("Run stopped; resume continues it.") : tr("Run finished."), 8000);
    } else {
        statusBar()->showMessage(tr("Run failed: %1").arg(QString::fromStdString(end.error)));
    }
    Q_EMIT runEnded(end.ok);
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About HACE Workbench"),
                       tr("<b>HACE Workbench %1</b><p>Sweeps of KV-cache compression methods: "
                          "design, run, browse and plot.</p>")
                           .arg(QStringLiteral(HACE_VERSION)));
}

}  // namespace hace::gui
